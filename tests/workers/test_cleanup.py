"""The daily cleanup deletes finished jobs older than 30 days, and nothing else."""

from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from backend.jobs.models import EmailDelivery, Job, JobStatus
from backend.jobs.services import submit_job
from workers.jobs import delete_finished_jobs


def aged(job, *, days, status):
    finished_at = timezone.now() - timedelta(days=days)
    Job.objects.filter(id=job.id).update(status=status, finished_at=finished_at)
    return job


def test_cleanup_deletes_only_jobs_finished_more_than_30_days_ago(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old_done = aged(submit_job(actor=alice, title="old"), days=31, status=JobStatus.COMPLETED)
    old_failed = submit_job(actor=alice, title="failed")
    old_failed.file.save("export.csv", ContentFile(b"id\n1\n"))
    file_path = old_failed.file.path
    aged(old_failed, days=40, status=JobStatus.FAILED)
    recent = aged(submit_job(actor=alice, title="recent"), days=29, status=JobStatus.COMPLETED)
    running = submit_job(actor=alice, title="running")
    Job.objects.filter(id=running.id).update(status=JobStatus.PROCESSING)

    assert delete_finished_jobs() == 2

    assert set(Job.objects.values_list("id", flat=True)) == {recent.id, running.id}
    assert not Path(file_path).exists()
    assert old_done.id not in Job.objects.values_list("id", flat=True)


def test_cleanup_forgets_emails_sent_more_than_30_days_ago(db):
    now = timezone.now()
    EmailDelivery.objects.create(key="old", recipient="a@example.com", subject="s",
                                 sent_at=now - timedelta(days=31))  # fmt: skip
    EmailDelivery.objects.create(key="new", recipient="a@example.com", subject="s", sent_at=now)

    delete_finished_jobs()

    assert list(EmailDelivery.objects.values_list("key", flat=True)) == ["new"]
