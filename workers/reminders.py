from django.db import transaction

from backend.jobs.reminders import arm_due_reminders, deliver_reminder
from workers.celery import app
from workers.outbox import enqueue


@app.task(name="stride.reminders.queue_due")
def queue_due_reminders():
    """Beat, every few minutes: one delivery task per reminder that is due, written to the
    outbox with the reminders it arms."""
    with transaction.atomic():
        reminder_ids = arm_due_reminders()
        for reminder_id in reminder_ids:
            enqueue(send_due_reminder.name, reminder_id=reminder_id)
    return len(reminder_ids)


@app.task(name="stride.reminders.send")
def send_due_reminder(*, reminder_id: int):
    deliver_reminder(reminder_id=reminder_id)
