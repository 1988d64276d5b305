"""Imports on real workers: ten at once, a worker killed midway, a broker that never got one."""

import time

from django.db.models import Count

from backend.jobs.ingestion import CHUNK_SIZE, submit_ingestion
from backend.jobs.models import IngestedChunk, Job, JobStatus
from backend.outbox.models import OutboxMessage
from backend.tasks.models import Task
from tests.rest.conftest import ApiClient
from tests.workers.conftest import wait_for
from workers.outbox import relay

INGEST = "/api/data/ingest/"


def test_ten_imports_run_side_by_side_and_the_web_side_only_queues_them(start_worker, alice):
    start_worker(concurrency=10, INGEST_SIMULATED_CALL_SECONDS="0.5")
    client = ApiClient(alice)
    records = 3 * CHUNK_SIZE  # three simulated external calls of 0.5 s each: >= 1.5 s a job

    answers = []
    for number in range(10):
        began = time.monotonic()
        response = client.post(
            INGEST, [{"title": f"Job {number} task {n}"} for n in range(records)]
        )
        answers.append((response, time.monotonic() - began))
    job_ids = [response.json()["job_id"] for response, _ in answers]

    assert all(response.status_code == 202 for response, _ in answers)
    # Answered before the work: each request took far less than one job's simulated calls.
    assert max(seconds for _, seconds in answers) < 1.0, answers
    while not Job.objects.filter(id__in=job_ids, status=JobStatus.PROCESSING).exists():
        time.sleep(0.02)
    progress = client.get(f"/api/data/status/{job_ids[0]}/").json()
    assert progress["status"] in ("PENDING", "PROCESSING", "COMPLETED")
    wait_for(
        lambda: Job.objects.filter(id__in=job_ids, status=JobStatus.COMPLETED).count() == 10,
        timeout=60,
        message="ten imports",
    )

    jobs = list(Job.objects.filter(id__in=job_ids))
    assert all(job.result["imported"] == records for job in jobs)
    assert Task.objects.count() == 10 * records
    # Side by side: every job started before any finished (how fast is bench/ingest.py's).
    assert max(job.started_at for job in jobs) < min(job.finished_at for job in jobs)


def test_an_import_whose_worker_is_killed_midway_is_redelivered_and_imports_each_record_once(
    start_worker, alice
):
    worker = start_worker(INGEST_SIMULATED_CALL_SECONDS="0.5")
    job, _ = submit_ingestion(actor=alice, records=[{"title": f"T{n}"} for n in range(1000)])
    wait_for(
        lambda: IngestedChunk.objects.filter(job=job).count() >= 3,
        message="three chunks to be done",
    )

    worker.kill_child()

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, timeout=60, message="completion")
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 2
    assert job.result == {"total": 1000, "imported": 1000, "failed": 0, "errors": []}
    assert Task.objects.count() == 1000
    assert not Task.objects.values("title").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert "WorkerLostError" in worker.log()


def test_an_import_the_broker_never_got_is_kept_and_published_by_a_relay(alice):
    # Submitted without its after-commit publication: as when the broker was down.
    job, _ = submit_ingestion(actor=alice, records=[{"title": "Kept"}, {"title": "Safe"}])
    assert Job.objects.get(id=job.id).status == JobStatus.PENDING

    assert relay() == 1  # tests run tasks in-process: "published" means run here

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert sorted(Task.objects.values_list("title", flat=True)) == ["Kept", "Safe"]
    assert OutboxMessage.objects.get(message_id=job.celery_task_id).done_at is not None
