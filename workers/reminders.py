from backend.jobs.reminders import arm_due_reminders, deliver_reminder
from workers.celery import app


@app.task(name="stride.reminders.queue_due")
def queue_due_reminders():
    """Beat, every few minutes: one delivery task per reminder that is due."""
    reminder_ids = arm_due_reminders()
    for reminder_id in reminder_ids:
        send_due_reminder.delay(reminder_id=reminder_id)
    return len(reminder_ids)


@app.task(name="stride.reminders.send")
def send_due_reminder(*, reminder_id: int):
    deliver_reminder(reminder_id=reminder_id)
