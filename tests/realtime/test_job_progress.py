"""jobProgress(jobId): a job's owner watches it move through its states; nobody else can."""

import json

import pytest
from asgiref.sync import sync_to_async

from backend.jobs.ingestion import run_ingestion
from backend.jobs.models import Ingestion, Job, JobKind
from backend.jobs.services import delete_job, run_process_job
from backend.realtime.groups import user_group
from backend.realtime.jobs import job_group
from tests.realtime.conftest import GraphQLSocket, run, wait_for_group

pytestmark = pytest.mark.django_db(transaction=True)


async def pending_job(*, owner, title) -> Job:
    """A job nobody runs yet (submitJob would run it at once: tests run tasks in-process)."""
    return await Job.objects.acreate(owner=owner, title=title)


async def test_the_owner_sees_the_job_from_pending_to_completed(alice):
    job = await pending_job(owner=alice, title="Watched")
    socket = GraphQLSocket()
    await socket.open_as(alice)
    await socket.subscribe("1", "jobProgress", jobId=str(job.id))
    await wait_for_group(job_group(job.id))
    first = (await socket.next_data("1"))["jobProgress"]
    assert (first["id"], first["status"], first["progress"]) == (str(job.id), "PENDING", 0)

    await sync_to_async(run_process_job)(job_id=job.id)

    states = []
    while not states or states[-1][0] != "COMPLETED":
        update = (await socket.next_data("1"))["jobProgress"]
        states.append((update["status"], update["progress"]))
    assert states[0] == ("PROCESSING", 0)
    assert states[-1] == ("COMPLETED", 100)
    assert [progress for _, progress in states] == sorted(progress for _, progress in states)
    assert update["result"]["seconds"] == 0
    assert (await socket.receive()) == {"id": "1", "type": "complete"}
    await socket.close()


async def test_a_finished_job_is_shown_once_and_the_subscription_ends(alice):
    job = await pending_job(owner=alice, title="Done already")
    await sync_to_async(run_process_job)(job_id=job.id)
    socket = GraphQLSocket()
    await socket.open_as(alice)

    await socket.subscribe("1", "jobProgress", jobId=str(job.id))

    assert (await socket.next_data("1"))["jobProgress"]["status"] == "COMPLETED"
    assert (await socket.receive()) == {"id": "1", "type": "complete"}
    await socket.close()


@pytest.mark.parametrize("whose", ["someone_else", "nonexistent", "malformed"])
async def test_only_the_owner_may_follow_a_job(alice, mallory, whose):
    job = await pending_job(owner=alice, title="Private")
    job_id = {"someone_else": str(job.id), "nonexistent": "999999", "malformed": "x"}[whose]
    socket = GraphQLSocket()
    await socket.open_as(mallory)

    await socket.subscribe("1", "jobProgress", jobId=job_id)

    message = await socket.receive()
    assert message["type"] == "error"
    assert message["payload"][0]["message"] == "No such job."
    await socket.close()


async def test_staff_may_follow_anyones_job(alice, staff):
    job = await pending_job(owner=alice, title="Audited")
    socket = GraphQLSocket()
    await socket.open_as(staff)

    await socket.subscribe("1", "jobProgress", jobId=str(job.id))

    assert (await socket.next_data("1"))["jobProgress"]["status"] == "PENDING"
    await socket.close()


async def test_the_subscription_ends_when_its_job_is_deleted(alice):
    job = await pending_job(owner=alice, title="Cancelled")
    socket = GraphQLSocket()
    await socket.open_as(alice)
    await socket.subscribe("1", "jobProgress", jobId=str(job.id))
    await wait_for_group(job_group(job.id))
    assert (await socket.next_data("1"))["jobProgress"]["status"] == "PENDING"

    await sync_to_async(delete_job)(actor=alice, job_id=job.id)

    assert (await socket.receive()) == {"id": "1", "type": "complete"}
    await socket.close()


async def test_an_import_reports_its_progress_chunk_by_chunk_and_its_counts_at_the_end(alice):
    records = [{"title": f"T{n}"} for n in range(250)] + [{"title": ""}]
    job = await Job.objects.acreate(owner=alice, title="Import", kind=JobKind.INGEST)
    await Ingestion.objects.acreate(job=job, records=json.dumps(records), total=len(records))
    socket = GraphQLSocket()
    await socket.open_as(alice)
    await socket.subscribe("1", "jobProgress", jobId=str(job.id))
    await wait_for_group(job_group(job.id))
    assert (await socket.next_data("1"))["jobProgress"]["status"] == "PENDING"

    await sync_to_async(run_ingestion)(job_id=job.id)

    states = []
    while not states or states[-1][0] != "COMPLETED":
        update = (await socket.next_data("1"))["jobProgress"]
        states.append((update["status"], update["progress"]))
    assert states == [
        ("PROCESSING", 0),
        ("PROCESSING", 33),
        ("PROCESSING", 66),
        ("PROCESSING", 99),
        ("COMPLETED", 100),
    ]
    result = update["result"]
    assert (result["total"], result["imported"], result["failed"]) == (251, 250, 1)
    assert (await socket.receive()) == {"id": "1", "type": "complete"}
    await socket.close()


async def test_a_requested_report_is_announced_over_the_socket_and_kept_as_the_result(
    alice, as_alice, task
):
    """requestReport over HTTP; the job runs (in-process here, as on a worker) and its owner's
    open socket hears REPORT_READY naming the job, whose result holds the report."""
    socket = GraphQLSocket()
    await socket.open_as(alice)
    await socket.subscribe("inbox", "notificationReceived")
    await wait_for_group(user_group(alice.id))

    job = await run(as_alice, "requestReport")

    notification = (await socket.next_data("inbox"))["notificationReceived"]
    assert notification["kind"] == "REPORT_READY"
    assert notification["data"]["job_id"] == int(job["id"])
    finished = await Job.objects.aget(id=job["id"])
    assert (finished.kind, finished.result["total"]) == (JobKind.REPORT, 1)
    await socket.close()
