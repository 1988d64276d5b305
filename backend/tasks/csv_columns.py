"""Tasks as CSV: the columns an export writes and an import reads back.

An exported file imports as is: the import reads the columns it knows and ignores the rest
(the importer becomes the creator; ids and timestamps are the new rows' own).
"""

from backend.tasks.services import EDITABLE_FIELDS

# Dates are ISO 8601 with their offset; an empty cell is an empty value (no project, no due date).
EXPORTED_COLUMNS = (
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "project_id",
    "assignee_id",
    "created_by_id",
    "created_at",
    "updated_at",
)

# What a person sets on a task (the rest is the server's): the same fields createTask takes.
IMPORTED_COLUMNS = EDITABLE_FIELDS
