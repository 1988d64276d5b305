"""A fresh install has the periodic schedules, each naming a task the workers know."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from workers import celery_app


# Rows written by migrations are gone once any transactional test has flushed the tables, so
# the schedules' migration is unapplied and applied again here, as `migrate` does on install.
@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_periodic_schedules():
    call_command("migrate", "jobs", "0001", verbosity=0)
    assert not PeriodicTask.objects.filter(task__startswith="stride.").exists()
    call_command("migrate", "jobs", verbosity=0)

    schedules = {task.name: task for task in PeriodicTask.objects.all()}

    reminders = schedules["Due-date reminders"]
    assert reminders.task == "stride.reminders.queue_due"
    assert (reminders.interval.every, reminders.interval.period) == (5, "minutes")
    summaries = schedules["Daily project summaries"]
    assert summaries.task == "stride.summaries.daily"
    assert (summaries.crontab.minute, summaries.crontab.hour) == ("10", "0")
    cleanup = schedules["Clean up finished jobs"]
    assert cleanup.task == "stride.jobs.cleanup"
    assert (cleanup.crontab.minute, cleanup.crontab.hour) == ("30", "3")
    # The outbox's relays replaced the beat schedule that looked for jobs the broker missed.
    assert "Recover stalled jobs" not in schedules
    celery_app.loader.import_default_modules()
    for task in schedules.values():
        assert task.enabled
        assert task.task in celery_app.tasks
