from django.db import migrations
from django.utils import timezone

RECOVERY = "Recover stalled jobs"


def hand_unsent_jobs_to_the_outbox(apps, schema_editor):
    # Jobs the broker never accepted were left for the recovery sweep, which the outbox
    # replaces: it sends them now (each kind's task is stride.jobs.<kind>).
    Job = apps.get_model("jobs", "Job")
    OutboxMessage = apps.get_model("outbox", "OutboxMessage")
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            task_name=f"stride.jobs.{job.kind}",
            kwargs={"job_id": job.id},
            message_id=job.celery_task_id,
            available_at=now,
        )
        for job in Job.objects.filter(status="PENDING", queued_at__isnull=True)
    )


def delete_recovery_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=RECOVERY).delete()


class Migration(migrations.Migration):
    """The outbox sends jobs (and the rest of the background work): a job no longer records
    when the broker took it, and no beat schedule looks for jobs it missed."""

    dependencies = [
        ("jobs", "0005_ingestion"),
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunPython(hand_unsent_jobs_to_the_outbox, migrations.RunPython.noop),
        migrations.RunPython(delete_recovery_schedule, migrations.RunPython.noop),
        migrations.RemoveField(model_name="job", name="queued_at"),
    ]
