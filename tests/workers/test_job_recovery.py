"""Jobs that would otherwise wait forever: never accepted by the broker, or abandoned."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from backend.jobs.models import Job, JobKind, JobStatus
from backend.jobs.services import recover_stalled_jobs
from workers.jobs import RUNNERS
from workers.jobs import recover_stalled_jobs as recover_task


def job_created(owner, *, ago, **fields) -> Job:
    job = Job.objects.create(owner=owner, title="Crunch", celery_task_id="task-1", **fields)
    Job.objects.filter(id=job.id).update(
        created_at=timezone.now() - ago, updated_at=timezone.now() - ago
    )
    return job


def test_a_job_the_broker_never_accepted_is_sent_again_and_runs(alice):
    job = job_created(alice, ago=timedelta(minutes=5))  # queued_at empty: the send failed

    recover_task()  # tests run tasks in-process: "sent" means run here

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.queued_at is not None


def test_a_job_just_submitted_is_given_time_before_it_is_sent_again(alice):
    job_created(alice, ago=timedelta(seconds=10))
    assert recover_stalled_jobs() == []


def test_a_job_waiting_in_the_queue_is_never_sent_twice(alice):
    job_created(alice, ago=timedelta(hours=3), queued_at=timezone.now() - timedelta(hours=3))
    assert recover_stalled_jobs() == []


def test_a_job_abandoned_while_processing_fails_with_the_reason(alice):
    silent = timedelta(
        seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        + settings.CELERY_TASK_TIME_LIMIT
        + 300
    )
    job = job_created(alice, ago=silent, status=JobStatus.PROCESSING, queued_at=timezone.now())

    recover_stalled_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "No worker finished this job" in job.error


def test_a_job_processing_within_the_redelivery_window_is_left_running(alice):
    job = job_created(
        alice, ago=timedelta(minutes=10), status=JobStatus.PROCESSING, queued_at=timezone.now()
    )
    recover_stalled_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING


def test_recovery_leaves_kinds_without_a_runner_waiting_and_goes_on(alice, monkeypatch):
    monkeypatch.delitem(RUNNERS, JobKind.EXPORT)  # as a kind whose runner is yet to come
    waiting = job_created(alice, ago=timedelta(minutes=5), kind="export")
    runnable = job_created(alice, ago=timedelta(minutes=5))

    recover_task()

    waiting.refresh_from_db()
    runnable.refresh_from_db()
    assert waiting.status == JobStatus.PENDING
    assert runnable.status == JobStatus.COMPLETED
