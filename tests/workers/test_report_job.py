"""A report job on a real worker: requested over GraphQL, computed in shards by the worker's
thread pool, kept as the job's result and announced with a REPORT_READY notification."""

from django.db import connection

from backend.jobs.models import Job, JobStatus
from backend.notifications.models import Notification
from tests.conftest import GraphQLClient
from tests.report_data import counted_in_sql, make_board
from tests.workers.conftest import wait_for


def test_a_requested_report_is_computed_by_a_worker_and_announced(
    start_worker, alice, bob, mallory, project
):
    make_board(alice, bob, mallory, project)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tasks_task")  # the statistics the shards are cut by
    start_worker(REPORT_SHARD_MIN_ROWS="1", REPORT_SHARDS="3")

    submitted = GraphQLClient(alice).run("requestReport", topProjects=5)

    wait_for(
        lambda: Job.objects.get(id=submitted["id"]).is_finished, message="the report job to end"
    )
    job = Job.objects.get(id=submitted["id"])
    assert job.status == JobStatus.COMPLETED, job.error
    assert (job.progress, job.attempts) == (100, 1)
    expected = counted_in_sql(alice)
    assert job.result["total"] == expected["total"]
    assert job.result["by_status"] == expected["by_status"]
    assert job.result["by_priority"] == expected["by_priority"]
    assert job.result["overdue"] == expected["overdue"]
    assert {p["project_id"]: p["count"] for p in job.result["by_project"]} == expected["by_project"]
    assert job.result["shards"] == 3  # computed by the worker's thread pool
    (notification,) = Notification.objects.filter(user=alice, kind="report_ready")
    assert not Notification.objects.filter(user=alice, kind="job_finished").exists()
    assert notification.data == {"job_id": job.id, "status": "COMPLETED"}
    assert f"{expected['total']} tasks" in notification.message
