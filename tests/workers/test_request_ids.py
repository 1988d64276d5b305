"""A task enqueued by a request carries its request id into the worker's log lines (JSON, as
DEBUG is off there), and its outcome is counted."""

import json

from backend.jobs.models import Job
from tests.conftest import GraphQLClient, operation
from tests.workers.conftest import wait_for


def test_the_worker_logs_a_requests_task_under_its_request_id(start_worker, alice):
    worker = start_worker()
    client = GraphQLClient(alice)
    response = client.post(
        operation("submitJob"), {"input": {"title": "Traced"}}, **{"X-Request-ID": "req-job-1"}
    )
    assert response["X-Request-ID"] == "req-job-1"
    job_id = response.json()["data"]["submitJob"]["id"]
    wait_for(lambda: Job.objects.get(id=job_id).is_finished, message="the job")

    def task_lines():
        lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
        return [line for line in lines if line["request_id"] == "req-job-1"]

    lines = wait_for(
        lambda: (
            (found := task_lines()) and any("succeeded" in x["message"] for x in found) and found
        ),
        message="the task's log lines",
    )
    # The worker's own lines (a task received) belong to no request.
    assert all(
        line["logger"].startswith(("celery.app.trace", "backend.", "workers.")) for line in lines
    ), lines


def test_a_task_without_a_request_gets_an_id_of_its_own(start_worker, alice):
    from backend.jobs.services import submit_job

    worker = start_worker()
    job = submit_job(actor=alice, title="No request")
    wait_for(lambda: Job.objects.get(id=job.id).is_finished, message="the job")

    def trace_lines():
        lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
        return [line for line in lines if line["logger"] == "celery.app.trace"]

    # The outcome is logged a moment after the job records it.
    task_lines = wait_for(trace_lines, message="the task's outcome in the log")
    assert all(line["request_id"] != "-" for line in task_lines)
