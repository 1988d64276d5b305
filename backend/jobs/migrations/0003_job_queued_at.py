from django.db import migrations, models
from django.db.models import F
from django.utils import timezone

RECOVERY = "Recover stalled jobs"


def existing_jobs_were_queued(apps, schema_editor):
    # Jobs from before this field existed were handed to the broker when they were created.
    apps.get_model("jobs", "Job").objects.update(queued_at=F("created_at"))


def create_recovery_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=RECOVERY,
        defaults={
            "task": "stride.jobs.recover",
            "interval": every_five_minutes,
            "expire_seconds": 5 * 60,
            "description": "Send again jobs the broker never accepted; fail abandoned ones.",
            "enabled": True,
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def delete_recovery_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=RECOVERY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0002_periodic_tasks"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="queued_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the broker accepted its task; empty if it never did.",
                null=True,
            ),
        ),
        migrations.RunPython(existing_jobs_were_queued, migrations.RunPython.noop),
        migrations.RunPython(create_recovery_schedule, delete_recovery_schedule),
    ]
