"""Moving tasks between projects and choosing assignees over REST: the rules GraphQL obeys."""

from django.core import mail

from backend.notifications.models import Notification
from backend.projects.services import create_project
from backend.tasks.models import Task
from backend.tasks.services import create_task
from tests.conftest import make_user
from tests.rest.conftest import assert_error


def test_an_assignee_may_not_take_a_task_out_of_its_project(api_bob, alice, bob, project):
    task = create_task(actor=alice, title="Alice's", project_id=project.id, assignee_id=bob.id)
    own = create_project(actor=bob, name="Bob's")
    for destination in (None, own.id):
        response = api_bob.patch(f"/api/tasks/{task.id}/", {"project_id": destination})
        assert_error(response, 403)
    task.refresh_from_db()
    assert (task.project_id, task.version) == (project.id, 1)


def test_the_project_owner_may_move_a_members_task_to_another_project(
    api_alice, alice, bob, project
):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    other = create_project(actor=alice, name="Elsewhere")
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"project_id": other.id})
    assert response.status_code == 200, response.content
    assert response.json()["task"]["project"]["id"] == other.id


def test_a_personal_task_is_assigned_only_to_its_creator(api_alice, alice, mallory):
    task = create_task(actor=alice, title="Favour")
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"assignee_id": mallory.id})
    assert_error(response, 400, "assignee_id")
    assert "mallory" not in response.content.decode()
    assert not Notification.objects.filter(user=mallory).exists()
    assert mail.outbox == []
    response = api_alice.post("/api/tasks/", {"title": "Hi", "assignee_id": mallory.id})
    assert_error(response, 400, "assignee_id")
    assert Task.objects.count() == 1


def test_unknown_inactive_and_outsider_ids_get_the_same_answer(api_alice, task, mallory):
    inactive = make_user("gone", is_active=False)
    answers = [
        api_alice.patch(f"/api/tasks/{task.id}/", {"assignee_id": user_id})
        for user_id in (mallory.id, inactive.id, 987654321)
    ]
    assert {answer.status_code for answer in answers} == {400}
    assert answers[0].json() == answers[1].json() == answers[2].json()
