"""Whole GraphQL responses from the cache: served without SQL, fresh after any relevant write.

Transactional tests: invalidation follows events and signals, delivered after commit.
"""

import logging
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.services import update_profile
from backend.projects.services import add_project_member, remove_project_member, update_project
from backend.tasks.services import add_comment, create_task, update_task
from schema import response_cache
from tests.conftest import operation
from tests.settings import CACHES

pytestmark = pytest.mark.django_db(transaction=True)

TASK_WITH_PROJECT_MEMBERS = """
query ($id: ID!) {
  task(id: $id) { id title project { id name members { username } } }
}
"""
TASK_ASSIGNEES = "query { tasks { results { id assignee { username firstName } } } }"
TASKS_AND_ME = "query { tasks { totalCount } me { username } }"
OVERDUE_TASKS = "query { tasks(filters: {overdue: true}) { totalCount } }"
TWO_OPERATIONS = "query Tasks { tasks { totalCount } } query Projects { projects { totalCount } }"
NEGATIVE_PAGE = "query { tasks(pagination: {limit: -1}) { totalCount } }"


def sql_of(client, document, variables=None):
    """The answer's data and every SQL statement it took."""
    with CaptureQueriesContext(connection) as captured:
        data = client.data(document, variables)
    return data, [query["sql"] for query in captured]


def stored_responses() -> int:
    # Tests may look at the keys; the application never does.
    return len(cache.keys("graphql:response:*"))


@pytest.mark.parametrize(
    "name, variables",
    [
        ("tasks", {"pagination": {"limit": 10}}),
        ("taskConnection", {"first": 10}),
        ("projects", {}),
        ("task", {"id": "TASK"}),
        ("project", {"id": "PROJECT"}),
    ],
)
def test_a_repeated_read_is_served_without_any_sql(as_bob, task, name, variables):
    ids = {"TASK": str(task.id), "PROJECT": str(task.project_id)}
    variables = {
        key: ids[value] if isinstance(value, str) else value for key, value in variables.items()
    }
    first, first_sql = sql_of(as_bob, operation(name), variables)
    assert first_sql
    again, again_sql = sql_of(as_bob, operation(name), variables)
    assert again_sql == []
    assert again == first


def test_each_user_has_their_own_answers(as_bob, as_mallory, task):
    assert as_bob.run("tasks")["totalCount"] == 1
    assert as_mallory.run("tasks")["totalCount"] == 0


def test_variables_make_different_answers(as_bob, bob, alice, task):
    create_task(actor=alice, title="Second", project_id=task.project_id, assignee_id=bob.id)
    assert len(as_bob.run("tasks")["results"]) == 2
    assert len(as_bob.run("tasks", filters={"assignee": str(bob.id)})["results"]) == 1


def test_operation_names_make_different_answers(as_bob, task):
    def run(name):
        response = as_bob.http.post(
            "/graphql/",
            {"query": TWO_OPERATIONS, "operationName": name},
            content_type="application/json",
            headers=as_bob.headers,
        )
        return response.json()["data"]

    assert run("Tasks") == {"tasks": {"totalCount": 1}}
    assert run("Projects") == {"projects": {"totalCount": 1}}


def test_another_users_edit_refreshes_the_list_and_the_detail(as_bob, alice, task):
    as_bob.run("tasks")
    as_bob.run("task", id=str(task.id))
    update_task(actor=alice, task_id=task.id, status="completed")
    assert as_bob.run("tasks")["results"][0]["status"] == "COMPLETED"
    detail = as_bob.run("task", id=str(task.id))
    assert detail["status"] == "COMPLETED"
    assert [entry["field"] for entry in detail["activity"]][-1] == "status"


def test_a_comment_refreshes_comments_and_their_count(as_alice, bob, task):
    assert as_alice.run("tasks")["results"][0]["commentCount"] == 0
    assert as_alice.run("task", id=str(task.id))["comments"] == []
    add_comment(actor=bob, task_id=task.id, content="Looks good")
    assert as_alice.run("tasks")["results"][0]["commentCount"] == 1
    (comment,) = as_alice.run("task", id=str(task.id))["comments"]
    assert (comment["content"], comment["author"]["username"]) == ("Looks good", "bob")


def test_a_membership_change_refreshes_the_members_shown_on_a_task(as_bob, alice, mallory, task):
    def members():
        answer = as_bob.data(TASK_WITH_PROJECT_MEMBERS, {"id": str(task.id)})
        return [member["username"] for member in answer["task"]["project"]["members"]]

    assert members() == ["alice", "bob"]
    add_project_member(actor=alice, project_id=task.project_id, user_id=mallory.id)
    assert sorted(members()) == ["alice", "bob", "mallory"]
    remove_project_member(actor=alice, project_id=task.project_id, user_id=mallory.id)
    assert members() == ["alice", "bob"]


def test_joining_and_leaving_a_project_shows_and_hides_its_tasks(as_mallory, alice, mallory, task):
    assert as_mallory.run("tasks")["totalCount"] == 0
    assert as_mallory.run("task", id=str(task.id)) is None
    assert as_mallory.run("project", id=str(task.project_id)) is None
    add_project_member(actor=alice, project_id=task.project_id, user_id=mallory.id)
    assert as_mallory.run("tasks")["totalCount"] == 1
    assert as_mallory.run("task", id=str(task.id))["id"] == str(task.id)
    assert as_mallory.run("project", id=str(task.project_id))["name"] == "Launch"
    remove_project_member(actor=alice, project_id=task.project_id, user_id=mallory.id)
    assert as_mallory.run("tasks")["totalCount"] == 0
    assert as_mallory.run("task", id=str(task.id)) is None


def test_a_profile_change_refreshes_every_answer_naming_the_person(as_alice, alice, bob, task):
    update_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    assert as_alice.data(TASK_ASSIGNEES)["tasks"]["results"][0]["assignee"]["firstName"] == ""
    update_profile(user=bob, first_name="Robert")
    assert as_alice.data(TASK_ASSIGNEES)["tasks"]["results"][0]["assignee"]["firstName"] == (
        "Robert"
    )


def test_a_rename_in_the_admin_refreshes_answers_naming_the_person(as_alice, alice, bob, task):
    update_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    as_alice.data(TASK_ASSIGNEES)
    bob.username = "robert"
    bob.save()  # what the admin does: no service, no event
    assignee = as_alice.data(TASK_ASSIGNEES)["tasks"]["results"][0]["assignee"]
    assert assignee["username"] == "robert"


def test_a_project_rename_refreshes_a_staff_members_task_detail(as_staff, alice, task):
    assert as_staff.run("task", id=str(task.id))["project"]["name"] == "Launch"
    update_project(actor=alice, project_id=task.project_id, name="Liftoff")
    assert as_staff.run("task", id=str(task.id))["project"]["name"] == "Liftoff"


def test_a_project_rename_refreshes_members_project_answers(as_bob, alice, task):
    assert as_bob.run("projects")["results"][0]["name"] == "Launch"
    assert as_bob.run("project", id=str(task.project_id))["name"] == "Launch"
    update_project(actor=alice, project_id=task.project_id, name="Liftoff")
    assert as_bob.run("projects")["results"][0]["name"] == "Liftoff"
    assert as_bob.run("project", id=str(task.project_id))["name"] == "Liftoff"


def test_is_overdue_is_not_served_past_the_due_date(as_bob, alice, task):
    update_task(actor=alice, task_id=task.id, due_date=timezone.now() + timedelta(seconds=2))
    assert as_bob.run("task", id=str(task.id))["isOverdue"] is False
    time.sleep(2.5)
    assert as_bob.run("task", id=str(task.id))["isOverdue"] is True


def test_lists_filtered_on_overdue_are_not_cached(as_bob, task):
    as_bob.data(OVERDUE_TASKS)
    assert sql_of(as_bob, OVERDUE_TASKS)[1]
    assert stored_responses() == 0


def test_documents_with_other_root_fields_are_not_cached(as_bob, task):
    for _ in range(2):
        assert as_bob.data(TASKS_AND_ME) == {"tasks": {"totalCount": 1}, "me": {"username": "bob"}}
    assert stored_responses() == 0


def test_answers_with_errors_are_not_cached(as_bob, task):
    for _ in range(2):
        answer = as_bob.execute(NEGATIVE_PAGE)
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert stored_responses() == 0


def test_mutations_are_never_served_from_the_cache(as_alice, task):
    for title in ("First", "First"):
        payload = as_alice.run("createTask", input={"title": title})
        assert payload["title"] == title
    assert as_alice.run("tasks", filters={"search": "First"})["totalCount"] == 2


def test_anonymous_requests_are_not_cached(anonymous, task):
    for _ in range(2):
        assert anonymous.execute(operation("tasks"))["errors"]
    assert stored_responses() == 0


def test_redis_down_executes_the_operation_and_logs_a_warning(as_bob, task, caplog):
    dead = {"default": {**CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=dead), caplog.at_level(logging.WARNING):
        for _ in range(2):
            assert as_bob.run("task", id=str(task.id))["title"] == "Write the announcement"
            assert as_bob.run("tasks")["totalCount"] == 1
    assert "Cache unavailable" in caplog.text


def test_very_long_documents_are_executed_but_not_cached(as_bob, task):
    padded = operation("tasks") + "#" * response_cache.MAX_CACHED_DOCUMENT_LENGTH
    for _ in range(2):
        assert as_bob.data(padded)["tasks"]["totalCount"] == 1
    assert stored_responses() == 0


def test_answers_stored_under_another_schema_are_not_served(as_bob, task, monkeypatch):
    """A deploy that changes the schema must not serve what the processes it replaces stored."""
    assert as_bob.run("tasks")["totalCount"] == 1
    _, sql = sql_of(as_bob, operation("tasks"))
    assert sql == []
    monkeypatch.setattr(response_cache, "_schema_version", lambda: "another schema")

    _, sql = sql_of(as_bob, operation("tasks"))

    assert sql
