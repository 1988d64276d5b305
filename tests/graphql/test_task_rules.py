"""Who may move a task between projects and to whom it may be assigned, over GraphQL.

Issue 14's probes: an assignee took a task out of someone else's project (the other members lost
it); a personal task could be assigned to any user id, which notified and e-mailed that user and
told their username.
"""

import pytest
from django.core import mail

from backend.notifications.models import Notification
from backend.projects.services import add_project_member, create_project, remove_project_member
from backend.tasks.models import Task
from backend.tasks.services import create_task
from tests.conftest import make_user
from tests.graphql.support import assert_permission_denied, problem_on


def move(client, task, project_id):
    task.refresh_from_db()
    return client.run(
        "updateTask", input={"id": str(task.id), "version": task.version, "projectId": project_id}
    )


@pytest.fixture
def assigned_to_bob(alice, bob, project):
    """Alice's task in her project, assigned to Bob, a member who does not own the project."""
    return create_task(actor=alice, title="Alice's", project_id=project.id, assignee_id=bob.id)


def test_an_assignee_may_not_take_a_task_out_of_its_project(as_bob, assigned_to_bob, project):
    assert_permission_denied(move(as_bob, assigned_to_bob, None))
    assigned_to_bob.refresh_from_db()
    assert (assigned_to_bob.project_id, assigned_to_bob.version) == (project.id, 1)


def test_an_assignee_may_not_move_a_task_into_their_own_project(
    as_bob, bob, assigned_to_bob, project
):
    own = create_project(actor=bob, name="Bob's")
    assert_permission_denied(move(as_bob, assigned_to_bob, str(own.id)))
    assert Task.objects.get(id=assigned_to_bob.id).project_id == project.id


def test_the_assignee_may_still_change_the_task_itself(as_bob, assigned_to_bob):
    assigned_to_bob.refresh_from_db()
    changed = as_bob.run(
        "updateTask",
        input={"id": str(assigned_to_bob.id), "version": 1, "status": "IN_PROGRESS"},
    )
    assert changed["status"] == "IN_PROGRESS"


def test_the_creator_may_move_their_task_to_a_project_of_theirs(as_bob, bob, project):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    own = create_project(actor=bob, name="Bob's")
    assert move(as_bob, task, str(own.id))["project"]["id"] == str(own.id)


def test_the_project_owner_may_move_a_members_task_out(as_alice, bob, project):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    assert move(as_alice, task, None)["project"] is None


def test_a_task_cannot_be_moved_into_a_project_one_is_not_in(as_alice, alice, mallory):
    task = create_task(actor=alice, title="Mine")
    theirs = create_project(actor=mallory, name="Mallory's")
    assert problem_on(move(as_alice, task, str(theirs.id)), "projectId")["code"] == (
        "project_not_found"
    )


def test_a_personal_task_is_assigned_only_to_its_creator(as_alice, alice, mallory):
    task = create_task(actor=alice, title="Favour")
    payload = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(mallory.id))
    assert problem_on(payload, "assigneeId")["code"] == "not_assignable"
    assert "mallory" not in str(payload)
    assert not Notification.objects.filter(user=mallory).exists()
    assert mail.outbox == []
    assigned = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(alice.id))
    assert assigned["assignee"]["username"] == "alice"


def test_a_personal_task_cannot_be_created_for_someone_else(as_alice, mallory):
    payload = as_alice.run("createTask", input={"title": "Hi", "assigneeId": str(mallory.id)})
    assert problem_on(payload, "assigneeId")["code"] == "not_assignable"
    assert not Task.objects.exists()
    assert mail.outbox == []


def test_the_creator_may_be_assigned_after_leaving_the_project(as_alice, bob, project):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    remove_project_member(actor=bob, project_id=project.id, user_id=bob.id)
    assigned = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(bob.id))
    assert assigned["assignee"]["username"] == "bob"


def test_unknown_inactive_and_outsider_ids_get_the_same_answer(as_alice, task, mallory):
    inactive = make_user("gone", is_active=False)
    answers = [
        as_alice.run("assignTask", taskId=str(task.id), assigneeId=user_id)
        for user_id in (str(mallory.id), str(inactive.id), "987654321")
    ]
    assert answers[0] == answers[1] == answers[2]
    assert problem_on(answers[0], "assigneeId")["code"] == "not_assignable"


def test_a_member_added_later_can_be_assigned(as_alice, task, mallory):
    add_project_member(actor=task.created_by, project_id=task.project_id, user_id=mallory.id)
    assigned = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(mallory.id))
    assert assigned["assignee"]["username"] == "mallory"
