"""Due-date reminders: each open task due within 24 hours is reminded once per due date."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from backend.jobs.emails import send_once
from backend.jobs.models import TaskReminder
from backend.notifications.models import NotificationKind
from backend.notifications.services import notify
from backend.tasks.models import Task, TaskStatus

logger = logging.getLogger(__name__)

REMINDER_WINDOW = timedelta(hours=24)
# A reminder armed this long ago and still not delivered lost its task (a worker or the broker
# failed in between): it is queued again.
STRAGGLER_AGE = timedelta(minutes=10)


def tasks_due_soon(*, now):
    return Task.objects.filter(due_date__gt=now, due_date__lte=now + REMINDER_WINDOW).exclude(
        status=TaskStatus.COMPLETED
    )


def arm_due_reminders(*, now=None) -> list[int]:
    """Reminders to deliver now: new ones for tasks due soon that have none for their current
    due date, and older ones never delivered. Returns their ids.

    The unique (task, due_date) row is the claim: two beat runs at once cannot both arm one.
    """
    now = now or timezone.now()
    already_armed = TaskReminder.objects.filter(task=OuterRef("pk"), due_date=OuterRef("due_date"))
    armed = []
    for task_id, due_date in (
        tasks_due_soon(now=now).exclude(Exists(already_armed)).values_list("id", "due_date")
    ):
        # A concurrent run may have armed it since the query: get_or_create sees its row.
        reminder, created = TaskReminder.objects.get_or_create(task_id=task_id, due_date=due_date)
        if created:
            armed.append(reminder.id)
    stragglers = (
        TaskReminder.objects.filter(
            notified_at__isnull=True,
            created_at__lt=now - STRAGGLER_AGE,
            due_date__gt=now,
            task__due_date=F("due_date"),
        )
        .exclude(task__status=TaskStatus.COMPLETED)
        .values_list("id", flat=True)
    )
    return armed + list(stragglers)


def deliver_reminder(*, reminder_id: int) -> None:
    """Tell the task's assignee (its creator when unassigned) that it is due soon: an inbox
    notification once, and an e-mail once if they want reminder e-mails.

    A reminder whose task changed due date or was completed since it was armed stays silent.
    """
    reminder = (
        TaskReminder.objects.select_related("task__project", "task__assignee", "task__created_by")
        .filter(id=reminder_id)
        .first()
    )
    if reminder is None:
        return
    task = reminder.task
    if task.due_date != reminder.due_date or task.status == TaskStatus.COMPLETED:
        return
    recipient = task.assignee or task.created_by
    with transaction.atomic():
        claimed = TaskReminder.objects.filter(id=reminder.id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if claimed:
            notify(
                user_id=recipient.id,
                kind=NotificationKind.DUE_SOON,
                message=f"“{task.title}” is due {task.due_date:%Y-%m-%d %H:%M} UTC.",
                task_id=task.id,
                data={"due_date": task.due_date.isoformat()},
            )
    if recipient.email_on_reminders and recipient.email:
        send_once(
            key=f"task-due-soon:{reminder.id}",
            to=recipient.email,
            subject=f"[Stride] Due soon: {task.title}",
            template="task_due_soon",
            context={"task": task, "recipient": recipient},
        )
