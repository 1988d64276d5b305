"""The fan-out computes who may see a task; the queries decide it with `visible_to`. They
are one rule read two ways, and must agree."""

from backend.projects.services import add_project_member, create_project, remove_project_member
from backend.tasks.models import Task, task_audience
from backend.tasks.services import create_task
from tests.conftest import make_user


def test_audience_is_exactly_who_visible_to_lets_see_the_task(alice, bob, mallory, project):
    carol = make_user("carol")
    other = create_project(actor=carol, name="Other")
    add_project_member(actor=carol, project_id=other.id, user_id=bob.id)
    tasks = [
        create_task(actor=alice, title="In the project", project_id=project.id),
        create_task(
            actor=bob, title="Bob's, assigned", project_id=project.id, assignee_id=alice.id
        ),
        create_task(actor=mallory, title="Personal"),
        create_task(actor=carol, title="Elsewhere", project_id=other.id, assignee_id=bob.id),
    ]
    # Bob keeps seeing what he created after leaving, as the creator.
    remove_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    people = [alice, bob, mallory, carol]

    for task in Task.objects.filter(id__in=[task.id for task in tasks]):
        audience, _ = task_audience(
            project_id=task.project_id,
            created_by_id=task.created_by_id,
            assignee_id=task.assignee_id,
        )
        seeing = {user.id for user in people if Task.objects.visible_to(user).filter(id=task.id)}
        assert audience == seeing, task.title
