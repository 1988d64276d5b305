"""submitJob, job(id) and jobs: brief 002's background jobs over GraphQL."""

import pytest

from backend.jobs.models import Job, JobStatus
from backend.jobs.services import submit_job
from backend.notifications.models import Notification
from tests.conftest import GraphQLClient, operation


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run what the request queued after commit (here: the job, in-process)."""

    def submit(client, **input):
        with django_capture_on_commit_callbacks(execute=True):
            return client.run("submitJob", input=input)

    return submit


def test_submitted_job_is_pending_with_its_celery_task_id(as_alice):
    job = as_alice.run("submitJob", input={"title": " Crunch ", "description": "numbers"})

    assert job["status"] == "PENDING"
    assert job["kind"] == "PROCESS"
    assert job["title"] == "Crunch"
    assert job["progress"] == 0
    assert Job.objects.get(id=job["id"]).celery_task_id == job["celeryTaskId"]


def test_a_job_runs_to_completion_with_a_result_and_tells_its_owner(as_alice, alice, run_on_commit):
    submitted = run_on_commit(as_alice, title="Crunch")

    job = as_alice.run("job", id=submitted["id"])
    assert job["status"] == "COMPLETED"
    assert job["progress"] == 100
    assert job["attempts"] == 1
    assert job["error"] == ""
    assert job["result"]["message"].startswith("Processed in 0.0 seconds")
    assert job["startedAt"] <= job["finishedAt"]
    notification = Notification.objects.get(user=alice)
    assert notification.kind == "job_finished"
    assert notification.data == {"job_id": int(job["id"]), "status": "COMPLETED"}


def test_a_job_failing_every_attempt_ends_failed_with_the_error(as_alice, settings, run_on_commit):
    settings.JOB_PROCESS_FAILURE_RATE = 1.0

    submitted = run_on_commit(as_alice, title="Doomed")

    job = as_alice.run("job", id=submitted["id"])
    assert job["status"] == "FAILED"
    assert job["error"].startswith("TransientError: Simulated failure halfway")
    assert job["attempts"] == 4  # the first and three retries
    assert job["result"] is None


def test_blank_title_is_refused_as_a_field_error(as_alice):
    payload = as_alice.run("submitJob", input={"title": "   "})

    (message,) = payload["messages"]
    assert message["field"] == "title"
    assert Job.objects.count() == 0


def test_submit_job_requires_a_token(anonymous):
    answer = anonymous.execute(operation("submitJob"), {"input": {"title": "x"}})

    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert Job.objects.count() == 0


def test_someone_elses_job_is_not_found(as_mallory, alice):
    job = submit_job(actor=alice, title="Private")

    assert as_mallory.run("job", id=str(job.id)) is None
    assert as_mallory.run("jobs")["totalCount"] == 0


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999999999999"])
def test_impossible_job_ids_are_not_found(as_alice, bad_id):
    assert as_alice.run("job", id=bad_id) is None


def test_jobs_lists_your_own_newest_first_and_filters_by_status(as_alice, alice, bob):
    first = submit_job(actor=alice, title="First")
    second = submit_job(actor=alice, title="Second")
    submit_job(actor=bob, title="Bob's")
    Job.objects.filter(id=first.id).update(status=JobStatus.COMPLETED)

    page = as_alice.run("jobs")
    assert page["totalCount"] == 2
    assert [job["title"] for job in page["results"]] == ["Second", "First"]
    pending = as_alice.run("jobs", filters={"status": ["PENDING"]})
    assert [job["id"] for job in pending["results"]] == [str(second.id)]
    limited = as_alice.run("jobs", pagination={"limit": 1, "offset": 1})
    assert [job["title"] for job in limited["results"]] == ["First"]


def test_staff_see_every_job(staff, alice):
    submit_job(actor=alice, title="Alice's")

    assert GraphQLClient(staff).run("jobs")["totalCount"] == 1
