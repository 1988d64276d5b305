"""Jobs on a real worker: their states, a failure, and a worker killed in the middle."""

import uuid

from django.db import connection

from backend.jobs.models import Job, JobStatus
from backend.jobs.services import submit_job
from tests.workers.conftest import database_url_of_tests, wait_for


def watch_statuses(job_id, *, until, timeout=30):
    """The distinct (status, progress) pairs a poller sees until `until(job)` holds."""
    seen = []

    def finished():
        job = Job.objects.get(id=job_id)
        if not seen or seen[-1] != (job.status, job.progress):
            seen.append((job.status, job.progress))
        return until(job)

    wait_for(finished, timeout=timeout, interval=0.02, message=f"job {job_id}")
    return seen


def test_a_job_moves_from_pending_through_processing_to_completed(start_worker, alice):
    job = submit_job(actor=alice, title="Visible")
    assert Job.objects.get(id=job.id).status == JobStatus.PENDING  # queued, nobody consumes yet
    start_worker(JOB_PROCESS_SECONDS="2")

    seen = watch_statuses(job.id, until=lambda job: job.is_finished)

    statuses = [status for status, _ in seen]
    assert JobStatus.PROCESSING in statuses
    assert statuses[-1] == JobStatus.COMPLETED
    progress = [progress for status, progress in seen if status == JobStatus.PROCESSING]
    assert progress == sorted(progress) and len(progress) >= 3
    job.refresh_from_db()
    assert job.result["seconds"] == 2.0
    assert job.attempts == 1


def test_a_job_that_keeps_failing_is_recorded_failed_with_its_error(start_worker, alice):
    worker = start_worker(JOB_PROCESS_FAILURE_RATE="1", TASK_RETRY_BACKOFF_SECONDS="0.1")

    job = submit_job(actor=alice, title="Doomed")

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, message="the job to fail")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Simulated failure" in job.error
    assert job.attempts == 4
    assert f"Job {job.id} (process, owner {alice.id}) failed" in worker.log()


def test_a_job_whose_worker_process_is_killed_is_redelivered_and_completes(start_worker, alice):
    worker = start_worker(JOB_PROCESS_SECONDS="3")
    job = submit_job(actor=alice, title="Survivor")
    wait_for(
        lambda: Job.objects.filter(id=job.id, progress__gte=20).exists(),
        message="the job to be halfway",
    )

    worker.kill_child()

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, timeout=40, message="completion")
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 2
    assert "WorkerLostError" in worker.log()


def test_a_job_survives_its_whole_worker_dying_once_another_worker_starts(start_worker, alice):
    # Redis hands a message nobody acknowledged to another worker after the visibility timeout.
    first = start_worker(JOB_PROCESS_SECONDS="4", CELERY_VISIBILITY_TIMEOUT="3")
    job = submit_job(actor=alice, title="Phoenix")
    wait_for(
        lambda: Job.objects.filter(id=job.id, progress__gte=10).exists(),
        message="the job to start",
    )
    first.die()

    start_worker(JOB_PROCESS_SECONDS="0", CELERY_VISIBILITY_TIMEOUT="3")

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, timeout=60, message="completion")
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 2


def test_a_job_whose_database_connection_is_cut_is_retried_and_completes(start_worker, alice):
    name = f"stride-test-worker-{uuid.uuid4().hex[:8]}"
    worker = start_worker(
        JOB_PROCESS_SECONDS="3", DATABASE_URL=f"{database_url_of_tests()}?application_name={name}"
    )
    job = submit_job(actor=alice, title="Resilient")
    wait_for(lambda: Job.objects.filter(id=job.id, progress__gte=20).exists(), message="halfway")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [name],
        )
        assert cursor.fetchall(), "the worker had no connection to cut"

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, timeout=40, message="completion")
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts >= 2
    assert "hit a transient failure" in worker.log()
    assert "OperationalError" in worker.log()


def test_a_failed_job_shows_our_words_but_never_a_drivers():
    from django.db import OperationalError

    from backend.jobs.errors import TransientError
    from workers.jobs import failure_reason

    simulated = failure_reason(TransientError("Simulated failure halfway"), "t-1")
    assert simulated == "TransientError: Simulated failure halfway"
    driver = OperationalError('connection to server at "10.0.0.5", port 5432 failed')
    assert failure_reason(driver, "t-2") == (
        "The job failed unexpectedly; it was logged as task t-2."
    )
