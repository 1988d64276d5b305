"""A root list read again, by the same viewer or another, after writes of every kind: the same
answers as a first read, through the response cache where it applies (transactional tests:
answers are cached, and invalidated by events and signals after commit)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.projects.services import add_project_member, create_project, remove_project_member
from backend.tasks.models import Task, TaskStatus
from backend.tasks.services import add_comment, create_task, update_task
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = """
query ($status: [TaskStatus!], $limit: Int) {
  tasks(filters: {status: $status}, pagination: {limit: $limit}) {
    results { id title status assignee { username } project { name } }
  }
}
"""
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


def titles(client, query=PAGE, variables=None):
    return [row["title"] for row in client.data(query, variables)["tasks"]["results"]]


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


def test_a_missing_assignee_is_null(as_alice, task):
    assert as_alice.run("task", id=str(task.id))["assignee"] is None


def test_each_viewer_reads_only_their_own_tasks(alice, bob, mallory, project):
    create_task(actor=alice, project_id=project.id, title="shared")
    create_task(actor=alice, title="alice alone")
    create_task(actor=mallory, title="mallory alone")
    clients = {user.username: GraphQLClient(user) for user in (alice, bob, mallory)}

    for _ in range(2):
        assert sorted(titles(clients["alice"])) == ["alice alone", "shared"]
        assert titles(clients["bob"]) == ["shared"]
        assert titles(clients["mallory"]) == ["mallory alone"]


def test_variables_make_different_lists(as_alice, alice, project):
    create_task(actor=alice, project_id=project.id, title="open")
    create_task(actor=alice, project_id=project.id, title="done", status=TaskStatus.COMPLETED)

    for _ in range(2):
        assert titles(as_alice, variables={"status": ["PENDING"]}) == ["open"]
        assert titles(as_alice, variables={"status": ["COMPLETED"]}) == ["done"]
        assert titles(as_alice, variables={"limit": 1}) == ["done"]
        assert sorted(titles(as_alice)) == ["done", "open"]


def test_membership_changes_show_at_the_next_read(alice, mallory):
    launch = create_project(actor=alice, name="Launch")
    create_task(actor=alice, project_id=launch.id, title="launch task")
    as_mallory = GraphQLClient(mallory)
    for _ in range(2):
        assert titles(as_mallory) == []

    add_project_member(actor=alice, project_id=launch.id, user_id=mallory.id)
    assert titles(as_mallory) == ["launch task"]

    remove_project_member(actor=alice, project_id=launch.id, user_id=mallory.id)
    assert titles(as_mallory) == []


def test_a_viewer_made_staff_sees_every_task_at_the_next_read(alice, mallory):
    create_task(actor=alice, title="alice alone")
    as_mallory = GraphQLClient(mallory)
    for _ in range(2):
        assert titles(as_mallory) == []

    mallory.is_staff = True
    mallory.save()
    assert titles(as_mallory) == ["alice alone"]


def test_a_list_that_changes_with_the_clock_is_read_afresh(as_alice, alice):
    overdue = "query { tasks(filters: {overdue: true}) { results { title } } }"
    task = create_task(actor=alice, title="due soon", due_date=timezone.now() + timedelta(days=1))
    for _ in range(2):
        assert titles(as_alice, overdue) == []
    # No write the list could notice: the task's due date is simply passing.
    Task.objects.filter(id=task.id).update(due_date=timezone.now())

    assert titles(as_alice, overdue) == ["due soon"]


def test_a_filter_that_matches_nothing_reads_nothing(as_alice, task):
    unknown = """query { tasks(filters: {assignee: "not-an-id"}) { totalCount results { id } } }"""
    for _ in range(2):
        assert as_alice.data(unknown)["tasks"] == {"totalCount": 0, "results": []}


def test_a_stored_value_the_schema_refuses_is_a_field_error(as_alice, task):
    Task.objects.filter(id=task.id).update(status="archived")

    (error,) = as_alice.execute(PAGE)["errors"]

    assert error["path"] == ["tasks", "results", 0, "status"]


def test_the_count_follows_every_write(as_alice, alice, project):
    counted = "query { tasks { totalCount results { title } } }"
    create_task(actor=alice, project_id=project.id, title="one")
    for _ in range(2):
        assert as_alice.data(counted)["tasks"]["totalCount"] == 1

    create_task(actor=alice, project_id=project.id, title="two")
    page = as_alice.data(counted)["tasks"]

    assert page["totalCount"] == 2
    assert sorted(row["title"] for row in page["results"]) == ["one", "two"]
