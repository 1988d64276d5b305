"""One error contract: a refusal's `OperationMessage.kind` over GraphQL is the `code` REST gives
the same refusal, from the one ErrorCode list, and every message names the rule it broke."""

import pytest

from backend.tasks.services import update_task
from tests.graphql.support import problems
from tests.rest.conftest import ApiClient


@pytest.fixture
def changed_task(alice, task):
    update_task(actor=alice, task_id=task.id, title="Changed once")
    return task


def refusal(payload) -> tuple[str, str]:
    (message,) = problems(payload)
    return message["kind"], message["code"]


def test_a_stale_version_is_a_conflict_on_both_doors(as_alice, alice, changed_task):
    payload = as_alice.run("updateTask", input={"id": str(changed_task.id), "version": 1})
    response = ApiClient(alice).patch(f"/api/tasks/{changed_task.id}/", {"version": 1})
    assert refusal(payload) == ("CONFLICT", "stale_version")
    assert (response.status_code, response.json()["code"]) == (409, "CONFLICT")


def test_a_missing_task_is_not_found_on_both_doors(as_alice, alice):
    payload = as_alice.run("deleteTask", id="999999")
    response = ApiClient(alice).delete("/api/tasks/999999/")
    assert refusal(payload) == ("NOT_FOUND", "not_found")
    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND")


def test_a_member_deleting_the_owners_task_is_forbidden_on_both_doors(as_bob, bob, task):
    payload = as_bob.run("deleteTask", id=str(task.id))
    response = ApiClient(bob).delete(f"/api/tasks/{task.id}/")
    assert refusal(payload) == ("FORBIDDEN", "permission_denied")
    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN")


def test_a_blank_title_is_bad_user_input_on_both_doors(as_alice, alice):
    payload = as_alice.run("createTask", input={"title": " "})
    response = ApiClient(alice).post("/api/tasks/", {"title": " "})
    assert refusal(payload) == ("BAD_USER_INPUT", "blank")
    assert (response.status_code, response.json()["code"]) == (400, "BAD_USER_INPUT")


def test_wrong_credentials_are_unauthenticated_on_both_doors(anonymous, alice):
    payload = anonymous.run("tokenAuth", username="alice", password="wrong")
    response = ApiClient().post("/api/users/login/", {"username": "alice", "password": "wrong"})
    assert refusal(payload) == ("UNAUTHENTICATED", "invalid_credentials")
    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHENTICATED")


def test_a_refusal_of_several_fields_names_each_with_its_rule(anonymous):
    payload = anonymous.run("register", input={"username": " ", "email": "", "password": ""})
    assert {(message["field"], message["kind"]) for message in problems(payload)} == {
        ("username", "BAD_USER_INPUT"),
        ("email", "BAD_USER_INPUT"),
        ("password", "BAD_USER_INPUT"),
    }
    assert all(message["code"] for message in problems(payload))


def test_a_new_task_with_several_problems_names_each(as_alice):
    too_long = "x" * 10_001
    payload = as_alice.run(
        "createTask", input={"title": " ", "projectId": "999999", "description": too_long}
    )
    assert {(message["field"], message["code"]) for message in problems(payload)} == {
        ("title", "blank"),
        ("projectId", "project_not_found"),
        ("description", "max_length"),
    }


def test_the_doors_word_a_refusal_alike(as_alice, alice):
    payload = as_alice.run("createTask", input={"title": " ", "priority": "URGENT"})
    rest = ApiClient(alice).post("/api/tasks/", {"title": "", "priority": "sometimes"}).json()
    another_choice = ApiClient(alice).post("/api/tasks/", {"title": "x", "priority": "urgent!"})
    assert problems(payload)[0]["message"] == rest["field_errors"]["title"][0]
    assert rest["field_errors"]["priority"] == ["Value 'sometimes' is not a valid choice."]
    assert another_choice.json()["field_errors"]["priority"][0].startswith("Value 'urgent!'")
    missing = ApiClient(alice).delete("/api/tasks/999999/").json()
    assert missing["error"] == problems(as_alice.run("deleteTask", id="999999"))[0]["message"]
