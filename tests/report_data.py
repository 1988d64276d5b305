"""Data for report tests, and the report's numbers counted by hand-written SQL."""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from backend.projects.services import create_project
from backend.tasks.models import TaskPriority, TaskStatus
from backend.tasks.services import create_task

NOW = timezone.now()
PAST, FUTURE = NOW - timedelta(days=3), NOW + timedelta(days=3)

# What a user may see, written as plain SQL apart from the application's own rule.
VISIBLE = """
    (t.created_by_id = %(user)s OR t.assignee_id = %(user)s OR EXISTS (
        SELECT 1 FROM projects_membership m WHERE m.project_id = t.project_id
        AND m.user_id = %(user)s))
"""


def counted_in_sql(user=None, where="TRUE", **params) -> dict:
    """The report's numbers, counted by one hand-written query."""
    visible = "TRUE" if user is None else VISIBLE
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT t.status, t.priority, t.project_id,
                       count(*) FILTER (WHERE t.due_date < now() AND t.status <> 'completed')
                FROM tasks_task t WHERE {visible} AND ({where})
                GROUP BY t.status, t.priority, t.project_id, t.due_date < now()""",
            {"user": user.id if user else None, **params},
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"""SELECT t.status, t.priority, t.project_id, count(*)
                FROM tasks_task t WHERE {visible} AND ({where})
                GROUP BY t.status, t.priority, t.project_id""",
            {"user": user.id if user else None, **params},
        )
        groups = cursor.fetchall()
    by_project = {}
    for _, _, project_id, count in groups:
        if project_id is not None:
            by_project[project_id] = by_project.get(project_id, 0) + count
    return {
        "total": sum(count for *_, count in groups),
        "by_status": {
            status: sum(count for s, _, _, count in groups if s == status)
            for status in TaskStatus.values
        },
        "by_priority": {
            priority: sum(count for _, p, _, count in groups if p == priority)
            for priority in TaskPriority.values
        },
        "overdue": sum(late for *_, late in rows),
        "personal": sum(count for _, _, project_id, count in groups if project_id is None),
        "by_project": by_project,
    }


def numbers(report) -> dict:
    return {
        "total": report.total,
        "by_status": report.by_status,
        "by_priority": report.by_priority,
        "overdue": report.overdue,
        "personal": report.personal,
        "by_project": {project.project_id: project.count for project in report.by_project},
    }


def make_board(alice, bob, mallory, project) -> dict:
    """Alice's project shared with Bob, a second project of Alice's alone, personal tasks of
    everyone, and Mallory's project: every status, priority and kind of due date."""
    solo = create_project(actor=alice, name="Solo")
    hers = create_project(actor=mallory, name="Mallory's")
    plan = [
        (alice, project, TaskStatus.PENDING, TaskPriority.HIGH, PAST, bob),
        (alice, project, TaskStatus.IN_PROGRESS, TaskPriority.URGENT, FUTURE, None),
        (bob, project, TaskStatus.COMPLETED, TaskPriority.LOW, PAST, bob),
        (bob, project, TaskStatus.PENDING, TaskPriority.MEDIUM, None, alice),
        (alice, solo, TaskStatus.PENDING, TaskPriority.LOW, PAST, None),
        (alice, solo, TaskStatus.COMPLETED, TaskPriority.HIGH, FUTURE, alice),
        (alice, None, TaskStatus.IN_PROGRESS, TaskPriority.MEDIUM, PAST, None),
        (bob, None, TaskStatus.PENDING, TaskPriority.URGENT, FUTURE, bob),
        (mallory, hers, TaskStatus.PENDING, TaskPriority.HIGH, PAST, None),
        (mallory, None, TaskStatus.PENDING, TaskPriority.LOW, PAST, mallory),
    ]
    for n, (actor, in_project, status, priority, due_date, assignee) in enumerate(plan):
        create_task(
            actor=actor,
            title=f"Task {n} {'report' if n % 2 else 'other'}",
            project_id=in_project.id if in_project else None,
            status=status,
            priority=priority,
            due_date=due_date,
            assignee_id=assignee.id if assignee else None,
        )
    return {"shared": project, "solo": solo, "hers": hers}
