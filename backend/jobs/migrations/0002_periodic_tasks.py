"""The beat schedules, created here so that a fresh install has them; editable in the admin."""

from django.db import migrations
from django.utils import timezone

REMINDERS = "Due-date reminders"
SUMMARIES = "Daily project summaries"
CLEANUP = "Clean up finished jobs"


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")

    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    just_after_midnight, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="0", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="UTC",
    )
    early_morning, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="UTC",
    )
    schedules = [
        (REMINDERS, "stride.reminders.queue_due", {"interval": every_five_minutes}, 5 * 60,
         "Remind assignees of open tasks due within 24 hours, once per due date."),
        (SUMMARIES, "stride.summaries.daily", {"crontab": just_after_midnight}, 6 * 3600,
         "Store yesterday's summary of every project and announce it to the members."),
        (CLEANUP, "stride.jobs.cleanup", {"crontab": early_morning}, 6 * 3600,
         "Delete jobs finished more than JOB_RETENTION_DAYS (30) days ago."),
    ]
    for name, task, schedule, expire_seconds, description in schedules:
        # A run that waited longer than its own period in a queue with no worker is dropped:
        # the next one does the same work.
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "expire_seconds": expire_seconds,
                "description": description,
                "enabled": True,
                **schedule,
            },
        )
    # Beat reloads its schedule when this changes (the admin's save signal does the same).
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[REMINDERS, SUMMARIES, CLEANUP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
