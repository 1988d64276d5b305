"""Plain model attributes are Strawberry basic fields (schema/model_types.py): read without an
`Info`, permissions or extensions, and still loaded when the optimizer did not load them."""

from schema import schema
from tests.conftest import GraphQLClient


def fields_of(type_name: str) -> dict:
    definition = schema.get_type_by_name(type_name)
    return {field.python_name: field for field in definition.fields}


def test_columns_and_forward_relations_are_basic_fields():
    task = fields_of("Task")
    for name in ("id", "title", "status", "due_date", "project", "assignee", "version"):
        assert task[name].is_basic_field, name


def test_lists_and_computed_fields_keep_their_resolver():
    task = fields_of("Task")
    for name in ("comments", "activity", "comment_count", "is_overdue"):
        assert not task[name].is_basic_field, name
    assert not fields_of("Project")["members"].is_basic_field


def test_relations_a_mutation_did_not_load_are_loaded(as_alice, bob, task):
    assigned = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(bob.id))
    assert assigned["assignee"]["username"] == "bob"


def test_a_page_reads_the_values_it_selected(as_alice, alice, bob, task):
    GraphQLClient(alice).run("assignTask", taskId=str(task.id), assigneeId=str(bob.id))
    page = as_alice.data(
        "{ tasks { results { id title status priority project { name } assignee { username } } } }"
    )["tasks"]["results"]
    assert page == [
        {
            "id": str(task.id),
            "title": "Write the announcement",
            "status": "PENDING",
            "priority": "MEDIUM",
            "project": {"name": "Launch"},
            "assignee": {"username": "bob"},
        }
    ]
