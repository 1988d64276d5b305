from datetime import datetime
from enum import Enum

import strawberry

from backend.tasks import selectors
from schema import response_cache
from schema.core import parse_id
from schema.ordering import SortDirection
from schema.tasks.types import TaskPriorityEnum, TaskStatusEnum


@strawberry.input(name="TaskInput", description="A new task.")
class TaskInput:
    title: str = strawberry.field(description="1 to 255 characters, trimmed.")
    description: str = strawberry.field(
        default="", description="Details, up to 10,000 characters; may be empty."
    )
    status: TaskStatusEnum = strawberry.field(
        default=TaskStatusEnum.PENDING, description="Where it stands; PENDING by default."
    )
    priority: TaskPriorityEnum = strawberry.field(
        default=TaskPriorityEnum.MEDIUM, description="How urgent it is; MEDIUM by default."
    )
    due_date: datetime | None = strawberry.field(
        default=None, description="When it is due; none by default."
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project to create the task in; none for a personal task."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Who should do it; in a project, one of its members. Nobody by default.",
    )


@strawberry.input(
    name="TaskPartialInput", description="Changes to a task: only the fields given change."
)
class TaskPartialInput:
    id: strawberry.ID = strawberry.field(description="The task to change.")
    version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read, to refuse overwriting a change made since (a "
        "conflict); when omitted, the update applies to the task as it stands.",
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="1 to 255 characters, trimmed."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Details, up to 10,000 characters; null or empty clears them.",
    )
    status: TaskStatusEnum | None = strawberry.field(
        default=strawberry.UNSET,
        description="Where it stands; COMPLETED sets `completedAt`, any other clears it.",
    )
    priority: TaskPriorityEnum | None = strawberry.field(
        default=strawberry.UNSET, description="How urgent it is."
    )
    due_date: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="When it is due; null removes the due date."
    )
    project_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Move it to this project (one you are in), or null to make it personal; "
        "its assignee must be a member of the new project.",
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Who should do it (in a project, one of its members); null for nobody.",
    )


@strawberry.input(
    name="TaskFilter", description="Which tasks to list: all of the conditions given hold."
)
class TaskFilter:
    status: list[TaskStatusEnum] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    priority: list[TaskPriorityEnum] | None = strawberry.field(
        default=None, description="Any of these priorities."
    )
    due_after: datetime | None = strawberry.field(default=None, description="Due at or after.")
    due_before: datetime | None = strawberry.field(default=None, description="Due at or before.")
    assignee: strawberry.ID | None = strawberry.field(
        default=None,
        description="Assigned to this user; an id that is not one matches no task.",
    )
    project: strawberry.ID | None = strawberry.field(
        default=None, description="In this project; an id that is not one matches no task."
    )
    search: str | None = strawberry.field(
        default=None, description="Text found in the title or description, ignoring case."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="true: only overdue tasks; false: none of them."
    )


@strawberry.enum(name="TaskOrderField", description="What a list of tasks can be sorted by.")
class TaskOrderField(Enum):
    DUE_DATE = strawberry.enum_value(
        "due_date", description="The due date; tasks without one come last either way."
    )
    PRIORITY = strawberry.enum_value(
        "priority", description="Urgency, LOW to URGENT ascending (not alphabetically)."
    )
    CREATED_AT = strawberry.enum_value("created_at", description="When it was created.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="When it last changed.")
    TITLE = strawberry.enum_value("title", description="The title, alphabetically.")
    STATUS = strawberry.enum_value(
        "status", description="The status by its stored name: COMPLETED, IN_PROGRESS, PENDING."
    )


@strawberry.input(
    name="TaskOrder",
    description="One sort key of a task list; later keys break ties of earlier ones.",
)
class TaskOrder:
    field: TaskOrderField = strawberry.field(description="What to sort by.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="Which way; ascending by default."
    )


def task_criteria(info, filters: TaskFilter | None) -> dict | None:
    """The task selectors' criteria for `filters` (lists, reports, exports); None when they
    can match nothing."""
    if filters is None:
        return {}
    criteria = {
        "status": filters.status,
        "priority": filters.priority,
        "due_after": filters.due_after,
        "due_before": filters.due_before,
        "search": filters.search,
        "overdue": filters.overdue,
    }
    for name, value in (("assignee_id", filters.assignee), ("project_id", filters.project)):
        if value is not None:
            criteria[name] = parse_id(value)
            if criteria[name] is None:
                # An id that cannot exist matches nothing, as an unknown id would.
                return None
    policy = response_cache.policy_of(info.context.request)
    if policy is not None and selectors.changes_with_the_clock(criteria):
        policy.uncacheable = True
    return criteria
