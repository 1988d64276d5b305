"""Daily project summaries: stored per project and day, announced to the members once."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from backend.jobs.models import ProjectSummary
from backend.notifications.models import NotificationKind
from backend.notifications.services import notify
from backend.projects.models import Membership, Project
from backend.tasks.models import Task, TaskPriority, TaskStatus


def summarize_projects(*, day: date | None = None, now=None) -> int:
    """Store every project's summary of `day` (by default yesterday, UTC) and announce it to
    the project's members; how many summaries were stored.

    Running it again for the same day refreshes the counts without announcing twice. Counts
    by status and priority are those at run time (tasks keep no status history); overdue and
    completed are computed for the end of `day`.
    """
    now = now or timezone.now()
    day = day or (now.astimezone(UTC).date() - timedelta(days=1))
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)

    tasks = Task.objects.filter(project__isnull=False).order_by()
    by_status = _count_by(tasks, "status")
    by_priority = _count_by(tasks, "priority")
    overdue = _count(tasks.filter(due_date__lt=end).exclude(status=TaskStatus.COMPLETED))
    completed = _count(tasks.filter(completed_at__gte=start, completed_at__lt=end))
    members = defaultdict(list)
    for project_id, user_id in Membership.objects.values_list("project_id", "user_id"):
        members[project_id].append(user_id)

    stored = 0
    for project_id, name in Project.objects.order_by("id").values_list("id", "name"):
        statuses = {value: by_status[project_id].get(value, 0) for value in TaskStatus.values}
        priorities = {value: by_priority[project_id].get(value, 0) for value in TaskPriority.values}
        with transaction.atomic():
            summary, _ = ProjectSummary.objects.update_or_create(
                project_id=project_id,
                day=day,
                defaults={
                    "total": sum(statuses.values()),
                    "by_status": statuses,
                    "by_priority": priorities,
                    "overdue": overdue.get(project_id, 0),
                    "completed_that_day": completed.get(project_id, 0),
                },
            )
            first_time = ProjectSummary.objects.filter(
                id=summary.id, announced_at__isnull=True
            ).update(announced_at=now)
            if first_time:
                _announce(summary, name, members[project_id])
        stored += 1
    return stored


def _count_by(tasks, field) -> dict[int, dict[str, int]]:
    counts = defaultdict(dict)
    for project_id, value, n in tasks.values_list("project_id", field).annotate(n=Count("id")):
        counts[project_id][value] = n
    return counts


def _count(tasks) -> dict[int, int]:
    return dict(tasks.values_list("project_id").annotate(n=Count("id")))


def _announce(summary, project_name, member_ids) -> None:
    message = (
        f"{project_name} on {summary.day:%Y-%m-%d}: {summary.total} tasks, "
        f"{summary.completed_that_day} completed that day, {summary.overdue} overdue."
    )
    for user_id in member_ids:
        notify(
            user_id=user_id,
            kind=NotificationKind.SUMMARY_READY,
            message=message,
            data={
                "project_id": summary.project_id,
                "summary_id": summary.id,
                "day": summary.day.isoformat(),
            },
        )
