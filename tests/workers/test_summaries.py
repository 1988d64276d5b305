"""Daily project summaries: counts per project and day, announced to the members once."""

from datetime import UTC, date, datetime, timedelta

from backend.jobs.models import ProjectSummary
from backend.jobs.summaries import summarize_projects
from backend.notifications.models import Notification
from backend.projects.services import create_project
from backend.tasks.models import Task, TaskPriority, TaskStatus
from backend.tasks.services import create_task
from workers.summaries import summarize_projects_daily

DAY = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 3, 11, 0, 10, tzinfo=UTC)


def test_a_summary_counts_a_projects_tasks_for_the_day(alice, bob, project, mallory):
    create_task(actor=alice, title="a", project_id=project.id, priority=TaskPriority.HIGH)
    create_task(actor=alice, title="b", project_id=project.id, due_date=NOON)
    done = create_task(actor=alice, title="c", project_id=project.id, status=TaskStatus.COMPLETED)
    Task.objects.filter(id=done.id).update(completed_at=NOON)
    old = create_task(actor=alice, title="d", project_id=project.id, status=TaskStatus.COMPLETED)
    Task.objects.filter(id=old.id).update(completed_at=NOON - timedelta(days=2))
    create_task(actor=alice, title="personal")
    create_project(actor=mallory, name="Empty")

    assert summarize_projects(now=NEXT_MORNING) == 2

    summary = ProjectSummary.objects.get(project=project, day=DAY)
    assert summary.total == 4
    assert summary.by_status == {"pending": 2, "in_progress": 0, "completed": 2}
    assert summary.by_priority == {"low": 0, "medium": 3, "high": 1, "urgent": 0}
    assert summary.overdue == 1
    assert summary.completed_that_day == 1
    empty = ProjectSummary.objects.get(project__name="Empty")
    assert (empty.total, empty.overdue, empty.by_status["pending"]) == (0, 0, 0)


def test_members_hear_of_the_summary_once_however_often_it_runs(alice, bob, mallory, project):
    summarize_projects_daily()
    summarize_projects_daily()

    for member in (alice, bob):
        (notification,) = Notification.objects.filter(user=member, kind="summary_ready")
        assert notification.message.startswith("Launch on ")
        assert notification.data["project_id"] == project.id
    assert not Notification.objects.filter(user=mallory).exists()
    assert ProjectSummary.objects.get().announced_at is not None


def test_running_again_refreshes_the_counts(alice, project):
    summarize_projects(now=NEXT_MORNING)
    create_task(actor=alice, title="late", project_id=project.id)

    summarize_projects(now=NEXT_MORNING)

    assert ProjectSummary.objects.get().total == 1
