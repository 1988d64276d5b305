"""Due-date reminders: once per task and due date, e-mail and inbox, whatever beat does."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from backend.jobs.models import TaskReminder
from backend.notifications.models import Notification
from backend.tasks.models import TaskStatus
from backend.tasks.services import create_task, update_task
from workers import reminders
from workers.reminders import send_due_reminder


@pytest.fixture
def queue_due_reminders(django_capture_on_commit_callbacks):
    """Beat's run; what it writes to the outbox is published (run in-process) after commit."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.queue_due_reminders()

    return run


def in_hours(hours):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def due_soon(alice, bob, project):
    return create_task(
        actor=alice, title="Pay invoices", project_id=project.id, assignee_id=bob.id,
        due_date=in_hours(5),
    )  # fmt: skip


def reminders_of(user):
    return Notification.objects.filter(user=user, kind="due_soon")


def test_repeated_beat_runs_remind_once_by_email_and_inbox(due_soon, bob, queue_due_reminders):
    for _ in range(3):
        queue_due_reminders()

    (email,) = mail.outbox
    assert email.to == ["bob@example.com"]
    assert email.subject == "[Stride] Due soon: Pay invoices"
    assert "Pay invoices" in email.body
    assert email.alternatives[0][1] == "text/html"
    (notification,) = reminders_of(bob)
    assert notification.task_id == due_soon.id
    assert TaskReminder.objects.get().notified_at is not None


def test_a_changed_due_date_rearms_the_reminder(due_soon, alice, bob, queue_due_reminders):
    queue_due_reminders()
    update_task(actor=alice, task_id=due_soon.id, due_date=in_hours(20))

    queue_due_reminders()
    queue_due_reminders()

    assert len(mail.outbox) == 2
    assert reminders_of(bob).count() == 2


def test_only_open_tasks_due_within_a_day_are_reminded(alice, bob, project, queue_due_reminders):
    def task(title, due_date, **extra):
        create_task(actor=alice, title=title, project_id=project.id, assignee_id=bob.id,
                    due_date=due_date, **extra)  # fmt: skip

    task("Later", in_hours(25))
    task("Overdue", in_hours(-1))
    task("Done", in_hours(2), status=TaskStatus.COMPLETED)
    create_task(actor=alice, title="Someday", project_id=project.id, assignee_id=bob.id)

    assert queue_due_reminders() == 0
    assert mail.outbox == []
    assert not reminders_of(bob).exists()


def test_reminder_emails_respect_the_preference_but_the_inbox_still_hears(
    due_soon, bob, queue_due_reminders
):
    bob.email_on_reminders = False
    bob.save()

    queue_due_reminders()

    assert mail.outbox == []
    assert reminders_of(bob).count() == 1


def test_an_unassigned_task_reminds_its_creator(alice, queue_due_reminders):
    create_task(actor=alice, title="Mine", due_date=in_hours(1))

    queue_due_reminders()

    (email,) = mail.outbox
    assert email.to == ["alice@example.com"]
    assert reminders_of(alice).count() == 1


def test_a_reminder_armed_before_the_task_was_completed_stays_silent(due_soon, alice, bob):
    reminder = TaskReminder.objects.create(task=due_soon, due_date=due_soon.due_date)
    update_task(actor=alice, task_id=due_soon.id, status=TaskStatus.COMPLETED)

    send_due_reminder(reminder_id=reminder.id)

    assert mail.outbox == []
    assert not reminders_of(bob).exists()


def test_a_reminder_armed_but_never_delivered_is_queued_again(due_soon, bob, queue_due_reminders):
    reminder = TaskReminder.objects.create(task=due_soon, due_date=due_soon.due_date)
    TaskReminder.objects.filter(id=reminder.id).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )

    assert queue_due_reminders() == 1

    assert len(mail.outbox) == 1
    assert reminders_of(bob).count() == 1
