"""createTask, updateTask, deleteTask, assignTask, addComment and task(id) over GraphQL."""

from datetime import UTC, datetime

import pytest

from backend.projects.services import add_project_member, create_project
from backend.tasks.models import Activity, Comment, Task
from backend.tasks.services import add_comment, create_task, update_task
from tests.conftest import operation
from tests.graphql.support import (
    assert_not_found,
    assert_permission_denied,
    error_codes,
    problem_on,
)

DUE = "2031-05-04T12:00:00+00:00"


def update(client, task, **changes):
    task.refresh_from_db()
    return client.run("updateTask", input={"id": str(task.id), "version": task.version, **changes})


# createTask


def test_create_personal_task(as_alice, alice):
    created = as_alice.run(
        "createTask",
        input={"title": "  Buy milk ", "description": "Oat", "priority": "HIGH", "dueDate": DUE},
    )
    assert created["title"] == "Buy milk"
    assert created["description"] == "Oat"
    assert (created["status"], created["priority"]) == ("PENDING", "HIGH")
    assert created["dueDate"] == DUE
    assert created["project"] is None
    assert created["createdBy"]["username"] == "alice"
    assert (created["version"], created["commentCount"], created["isOverdue"]) == (1, 0, False)


def test_create_task_in_a_project_assigned_to_a_member(as_alice, project, bob):
    created = as_alice.run(
        "createTask",
        input={"title": "Draft", "projectId": str(project.id), "assigneeId": str(bob.id)},
    )
    assert created["project"] == {"id": str(project.id), "name": "Launch"}
    assert created["assignee"]["username"] == "bob"


def test_create_task_by_a_member_in_the_project(as_bob, project):
    created = as_bob.run("createTask", input={"title": "Mine", "projectId": str(project.id)})
    assert created["createdBy"]["username"] == "bob"


def test_create_task_already_completed_records_when(as_alice, alice):
    created = as_alice.run("createTask", input={"title": "Done", "status": "COMPLETED"})
    assert created["completedAt"] is not None


def test_create_task_in_someone_elses_project_is_a_project_id_error(as_mallory, project):
    payload = as_mallory.run("createTask", input={"title": "Spam", "projectId": str(project.id)})
    assert problem_on(payload, "projectId")["code"] == "project_not_found"
    assert not Task.objects.exists()


def test_create_task_assigned_to_a_non_member_is_an_assignee_id_error(as_alice, project, mallory):
    payload = as_alice.run(
        "createTask",
        input={"title": "Draft", "projectId": str(project.id), "assigneeId": str(mallory.id)},
    )
    assert problem_on(payload, "assigneeId")["code"] == "not_assignable"
    assert not Task.objects.exists()


def test_create_task_assigned_to_an_unknown_user_is_an_assignee_id_error(as_alice, alice):
    payload = as_alice.run("createTask", input={"title": "Draft", "assigneeId": "424242"})
    assert problem_on(payload, "assigneeId")["code"] == "not_assignable"


def test_create_task_with_a_blank_title_is_refused(as_alice, alice):
    payload = as_alice.run("createTask", input={"title": "   "})
    assert problem_on(payload, "title")["code"] == "blank"
    assert not Task.objects.exists()


def test_create_task_with_a_title_over_255_characters_is_refused(as_alice, alice):
    payload = as_alice.run("createTask", input={"title": "x" * 256})
    assert problem_on(payload, "title")["code"] == "max_length"


def test_create_task_with_a_title_of_255_characters_is_accepted(as_alice, alice):
    assert len(as_alice.run("createTask", input={"title": "x" * 255})["title"]) == 255


@pytest.mark.parametrize(("field", "value"), [("projectId", "abc"), ("assigneeId", "-3")])
def test_create_task_with_a_malformed_id_is_a_field_error(as_alice, alice, field, value):
    payload = as_alice.run("createTask", input={"title": "Draft", field: value})
    assert problem_on(payload, field)["code"] == "invalid_id"


def test_create_task_with_an_unknown_status_is_a_request_error(as_alice, alice):
    response = as_alice.post(
        operation("createTask"),
        {"input": {"title": "Draft", "status": "ARCHIVED"}},
        Accept="application/graphql-response+json",
    )
    assert response.status_code == 400
    assert "data" not in response.json()
    assert not Task.objects.exists()


def test_create_task_without_a_token_is_unauthenticated(anonymous):
    answer = anonymous.execute(operation("createTask"), {"input": {"title": "Draft"}})
    assert error_codes(answer) == ["UNAUTHENTICATED"]


# updateTask


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("title", " Renamed ", "Renamed"),
        ("description", "More words", "More words"),
        ("status", "IN_PROGRESS", "IN_PROGRESS"),
        ("priority", "URGENT", "URGENT"),
        ("dueDate", DUE, DUE),
    ],
)
def test_update_task_changes_one_field_and_bumps_the_version(
    as_alice, task, field, value, expected
):
    updated = update(as_alice, task, **{field: value})
    assert updated[field] == expected
    assert updated["version"] == 2
    assert updated["title"] == (expected if field == "title" else "Write the announcement")


def test_update_task_moves_it_to_another_project(as_alice, alice, task):
    other = create_project(actor=alice, name="Other")
    updated = update(as_alice, task, projectId=str(other.id))
    assert updated["project"]["name"] == "Other"


def test_update_task_assigns_through_assignee_id(as_alice, task, bob):
    assert update(as_alice, task, assigneeId=str(bob.id))["assignee"]["username"] == "bob"


def test_update_task_with_a_null_project_makes_it_personal(as_alice, task):
    assert update(as_alice, task, projectId=None)["project"] is None


def test_update_task_with_a_null_description_clears_it(as_alice, alice):
    task = create_task(actor=alice, title="Draft", description="Words")
    assert update(as_alice, task, description=None)["description"] == ""


def test_update_task_with_a_null_due_date_clears_it(as_alice, alice):
    task = create_task(actor=alice, title="Draft", due_date=datetime(2031, 1, 1, tzinfo=UTC))
    assert update(as_alice, task, dueDate=None)["dueDate"] is None


def test_update_task_with_a_null_title_is_a_validation_error(as_alice, task):
    payload = update(as_alice, task, title=None)
    assert problem_on(payload, "title")["code"] == "null"
    task.refresh_from_db()
    assert (task.title, task.version) == ("Write the announcement", 1)


@pytest.mark.parametrize("field", ["status", "priority"])
def test_update_task_with_a_null_choice_is_a_validation_error(as_alice, task, field):
    assert problem_on(update(as_alice, task, **{field: None}), field)["code"] == "null"


def test_update_task_with_a_blank_title_is_a_validation_error(as_alice, task):
    assert problem_on(update(as_alice, task, title="  "), "title")["code"] == "blank"


def test_completing_a_task_sets_completed_at_and_reopening_clears_it(as_alice, task):
    completed = update(as_alice, task, status="COMPLETED")
    assert completed["completedAt"] is not None
    reopened = update(as_alice, task, status="IN_PROGRESS")
    assert reopened["completedAt"] is None
    assert reopened["version"] == 3


def test_update_task_with_a_stale_version_is_refused_and_changes_nothing(
    as_alice, as_bob, alice, bob, project
):
    task = create_task(actor=alice, title="Shared", project_id=project.id, assignee_id=bob.id)
    as_bob.run("updateTask", input={"id": str(task.id), "version": 1, "title": "Bob's title"})
    payload = as_alice.run(
        "updateTask", input={"id": str(task.id), "version": 1, "title": "Alice's title"}
    )
    conflict = problem_on(payload, "version", kind="CONFLICT")
    assert conflict["code"] == "stale_version"
    assert "version 2" in conflict["message"]
    task.refresh_from_db()
    assert (task.title, task.version) == ("Bob's title", 2)


def test_update_task_without_a_version_applies_to_the_task_as_it_stands(as_alice, as_bob, task):
    as_alice.run("updateTask", input={"id": str(task.id), "title": "First"})
    updated = as_alice.run("updateTask", input={"id": str(task.id), "status": "IN_PROGRESS"})
    assert (updated["title"], updated["status"], updated["version"]) == ("First", "IN_PROGRESS", 3)


def test_update_task_without_any_change_keeps_the_version(as_alice, task):
    updated = update(as_alice, task, title=task.title)
    assert updated["version"] == 1
    assert not Activity.objects.filter(task=task, verb="updated").exists()


def test_update_task_by_outsider_is_not_found(as_mallory, task):
    assert_not_found(
        as_mallory.run("updateTask", input={"id": str(task.id), "version": 1, "title": "Mine"})
    )
    task.refresh_from_db()
    assert task.title == "Write the announcement"


def test_update_task_by_a_member_who_is_not_creator_assignee_or_owner_is_permission_denied(
    as_bob, task
):
    assert_permission_denied(update(as_bob, task, title="Mine"))
    task.refresh_from_db()
    assert task.version == 1


def test_update_task_by_its_assignee_is_allowed(as_bob, alice, bob, project):
    task = create_task(actor=alice, title="Draft", project_id=project.id, assignee_id=bob.id)
    assert update(as_bob, task, status="IN_PROGRESS")["status"] == "IN_PROGRESS"


def test_update_task_by_project_owner_is_allowed(as_alice, bob, project):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    assert update(as_alice, task, priority="LOW")["priority"] == "LOW"


def test_update_task_by_staff_is_allowed(as_staff, task):
    assert update(as_staff, task, title="Moderated")["title"] == "Moderated"


def test_update_task_into_a_project_the_actor_does_not_belong_to_is_refused(
    as_alice, task, mallory
):
    foreign = create_project(actor=mallory, name="Mallory's")
    payload = update(as_alice, task, projectId=str(foreign.id))
    assert problem_on(payload, "projectId")["code"] == "project_not_found"


def test_update_task_with_a_malformed_id_is_a_field_error(as_alice, task):
    payload = as_alice.run("updateTask", input={"id": "abc", "version": 1, "title": "X"})
    assert problem_on(payload, "id")["code"] == "invalid_id"


# deleteTask


def test_delete_task_by_creator(as_bob, bob, project):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    assert as_bob.run("deleteTask", id=str(task.id)) == {"id": str(task.id)}
    assert not Task.objects.filter(id=task.id).exists()


def test_delete_task_by_project_owner(as_alice, bob, project):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    as_alice.run("deleteTask", id=str(task.id))
    assert not Task.objects.filter(id=task.id).exists()


def test_delete_task_by_staff(as_staff, task):
    as_staff.run("deleteTask", id=str(task.id))
    assert not Task.objects.filter(id=task.id).exists()


def test_delete_task_by_its_assignee_is_permission_denied(as_bob, alice, bob, project):
    task = create_task(actor=alice, title="Draft", project_id=project.id, assignee_id=bob.id)
    assert_permission_denied(as_bob.run("deleteTask", id=str(task.id)))
    assert Task.objects.filter(id=task.id).exists()


def test_delete_task_by_outsider_is_not_found(as_mallory, task):
    assert_not_found(as_mallory.run("deleteTask", id=str(task.id)))
    assert Task.objects.filter(id=task.id).exists()


# assignTask


def test_assign_task_to_a_member(as_alice, task, bob):
    assigned = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(bob.id))
    assert assigned["assignee"]["username"] == "bob"
    assert assigned["version"] == 2


def test_unassign_task_with_null(as_alice, alice, bob, project):
    task = create_task(actor=alice, title="Draft", project_id=project.id, assignee_id=bob.id)
    assert as_alice.run("assignTask", taskId=str(task.id), assigneeId=None)["assignee"] is None


def test_assign_task_to_a_non_member_is_an_assignee_id_error(as_alice, task, mallory):
    payload = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(mallory.id))
    assert problem_on(payload, "assigneeId")["code"] == "not_assignable"
    task.refresh_from_db()
    assert task.assignee_id is None


def test_assign_task_by_outsider_is_not_found(as_mallory, task, mallory):
    assert_not_found(as_mallory.run("assignTask", taskId=str(task.id), assigneeId=str(mallory.id)))


def test_assign_task_with_a_malformed_task_id_is_a_field_error(as_alice, alice):
    payload = as_alice.run("assignTask", taskId="abc", assigneeId=None)
    assert problem_on(payload, "taskId")["code"] == "invalid_id"


# addComment


def test_add_comment_on_a_visible_task(as_bob, task):
    comment = as_bob.run("addComment", taskId=str(task.id), content="  Looks good  ")
    assert comment["content"] == "Looks good"
    assert comment["author"]["username"] == "bob"


def test_add_comment_by_outsider_is_not_found(as_mallory, task):
    assert_not_found(as_mallory.run("addComment", taskId=str(task.id), content="Hi"))
    assert not Comment.objects.exists()


@pytest.mark.parametrize("content", ["", "   \n\t "])
def test_add_empty_comment_is_refused(as_alice, task, content):
    payload = as_alice.run("addComment", taskId=str(task.id), content=content)
    assert problem_on(payload, "content")["code"] == "blank"
    assert not Comment.objects.exists()


def test_add_comment_over_10000_characters_is_refused(as_alice, task):
    payload = as_alice.run("addComment", taskId=str(task.id), content="x" * 10_001)
    assert problem_on(payload, "content")["code"] == "max_length"


def test_add_comment_of_10000_characters_is_accepted(as_alice, task):
    assert len(as_alice.run("addComment", taskId=str(task.id), content="x" * 10_000)["content"])


# task(id): comments and activity


def test_task_shows_its_comments_and_count(as_alice, task, alice, bob):
    add_comment(actor=alice, task_id=task.id, content="First")
    add_comment(actor=bob, task_id=task.id, content="Second")
    detail = as_alice.run("task", id=str(task.id))
    assert detail["commentCount"] == 2
    assert [(c["author"]["username"], c["content"]) for c in detail["comments"]] == [
        ("alice", "First"),
        ("bob", "Second"),
    ]


def test_task_activity_records_each_change_with_old_and_new_values(as_alice, alice, bob, project):
    created = as_alice.run("createTask", input={"title": "Draft", "projectId": str(project.id)})
    task = Task.objects.get(id=created["id"])
    update(as_alice, task, title="Final", status="COMPLETED")
    as_alice.run("assignTask", taskId=created["id"], assigneeId=str(bob.id))
    as_alice.run("addComment", taskId=created["id"], content="Done")

    history = [
        (entry["verb"], entry["field"], entry["oldValue"], entry["newValue"], entry["actor"])
        for entry in as_alice.run("task", id=created["id"])["activity"]
    ]
    actor = {"id": str(alice.id), "username": "alice"}
    assert history == [
        ("CREATED", "", "", "", actor),
        ("UPDATED", "title", "Draft", "Final", actor),
        ("UPDATED", "status", "pending", "completed", actor),
        ("ASSIGNED", "assignee", "", "bob", actor),
        ("COMMENTED", "", "", "", actor),
    ]


def test_task_activity_records_a_reassignment(as_alice, alice, bob, project, mallory):
    add_project_member(actor=alice, project_id=project.id, user_id=mallory.id)
    task = create_task(actor=alice, title="Draft", project_id=project.id, assignee_id=bob.id)
    update_task(actor=alice, task_id=task.id, assignee_id=mallory.id)
    activity = as_alice.run("task", id=str(task.id))["activity"]
    assert [(a["verb"], a["oldValue"], a["newValue"]) for a in activity] == [
        ("CREATED", "", ""),
        ("ASSIGNED", "", "bob"),
        ("ASSIGNED", "bob", "mallory"),
    ]


@pytest.mark.parametrize("bad_id", ["abc", "0", "-5", "99999999999999999999999"])
def test_task_with_an_impossible_id_is_null(as_alice, task, bad_id):
    assert as_alice.run("task", id=bad_id) is None
