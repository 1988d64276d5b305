"""Plain model fields resolved and completed directly (schema/fast_fields.py): same answers."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from strawberry_django.optimizer import DjangoOptimizerExtension

from backend.tasks.services import add_comment, update_task
from schema import schema
from schema.fast_fields import resolve_plain_fields_directly
from tests.conftest import operation

MIXED_SELECTION = """
query ($skip: Boolean!) {
  tasks {
    results {
      __typename
      key: id
      ... on Task { title status }
      assignee { __typename username }
      createdBy { username @skip(if: $skip) firstName }
      project { name members { username } }
      isOverdue
      commentCount
    }
  }
}
"""


def test_columns_and_joined_relations_are_resolved_directly():
    direct = set(resolve_plain_fields_directly(schema))
    assert {"Task.title", "Task.status", "Task.assignee", "Task.project", "User.username"} <= direct
    # Fields with a resolver, a permission or a list of related rows keep the full machinery.
    assert not direct & {"Task.isOverdue", "Task.commentCount", "Task.comments", "Project.members"}


def test_a_mixed_selection_answers_as_graphql_requires(as_alice, alice, bob, task):
    update_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    add_comment(actor=bob, task_id=task.id, content="On it")
    (result,) = as_alice.data(MIXED_SELECTION, {"skip": True})["tasks"]["results"]
    assert result == {
        "__typename": "Task",
        "key": str(task.id),
        "title": "Write the announcement",
        "status": "PENDING",
        "assignee": {"__typename": "User", "username": "bob"},
        "createdBy": {"firstName": ""},
        "project": {"name": "Launch", "members": [{"username": "alice"}, {"username": "bob"}]},
        "isOverdue": False,
        "commentCount": 1,
    }


def test_values_the_optimizer_did_not_load_are_loaded_as_before(as_alice, alice, bob, task):
    update_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    optimized = as_alice.run("tasks")
    with DjangoOptimizerExtension.disabled(), CaptureQueriesContext(connection) as captured:
        unoptimized = as_alice.run("tasks")
    assert unoptimized == optimized
    # Project, creator, assignee and comments each loaded on their own: the fallback path ran.
    assert len(captured) > 4


def test_a_missing_assignee_is_null(as_alice, task):
    assert as_alice.run("task", id=str(task.id))["assignee"] is None
    assert operation("task")
