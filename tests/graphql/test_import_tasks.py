"""importTasks: brief 004's bulk ingestion over GraphQL, followed with job(id)."""

import pytest

from backend.jobs.ingestion import MAX_RECORDS
from backend.jobs.models import Job, JobKind
from backend.tasks.models import Task
from tests.conftest import operation
from tests.rest.conftest import ApiClient


@pytest.fixture
def import_tasks(django_capture_on_commit_callbacks):
    """Run importTasks and, after commit, the job it queued (in-process)."""

    def run(client, records, **variables):
        with django_capture_on_commit_callbacks(execute=True):
            return client.run("importTasks", records=records, **variables)

    return run


def test_import_tasks_answers_a_pending_ingest_job(as_alice):
    job = as_alice.run("importTasks", records=[{"title": "One"}, {"title": "Two"}])

    assert (job["kind"], job["status"], job["progress"]) == ("INGEST", "PENDING", 0)
    assert job["title"] == "Import of 2 tasks"
    assert job["result"] is None
    assert not Task.objects.exists()


def test_the_job_result_counts_the_imported_and_lists_the_refused(
    as_alice, alice, bob, project, import_tasks
):
    records = [
        {
            "title": "Ship it",
            "priority": "HIGH",
            "status": "IN_PROGRESS",
            "dueDate": "2030-01-31T17:00:00Z",
            "projectId": str(project.id),
            "assigneeId": str(bob.id),
        },
        {"title": "   "},
        {"title": "Lost", "projectId": "not-an-id"},
    ]

    submitted = import_tasks(as_alice, records)

    job = as_alice.run("job", id=submitted["id"])
    assert job["status"] == "COMPLETED"
    assert job["result"]["imported"] == 1
    assert job["result"]["failed"] == 2
    assert [(e["index"], e["field"], e["code"]) for e in job["result"]["errors"]] == [
        (1, "title", "blank"),
        (2, "project_id", "invalid_id"),
    ]
    task = Task.objects.get()
    assert (task.title, task.priority, task.status, task.assignee, task.created_by) == (
        "Ship it",
        "high",
        "in_progress",
        bob,
        alice,
    )


def test_more_than_a_thousand_records_are_refused_with_a_code(as_alice):
    payload = as_alice.run("importTasks", records=[{"title": "x"}] * (MAX_RECORDS + 1))

    (message,) = payload["messages"]
    assert (message["field"], message["code"]) == ("records", "too_many_records")
    assert "at most 1,000" in message["message"]
    assert not Job.objects.exists()


def test_no_records_are_refused(as_alice):
    (message,) = as_alice.run("importTasks", records=[])["messages"]
    assert (message["field"], message["code"]) == ("records", "required")


def test_the_same_idempotency_key_returns_the_same_job_and_imports_once(as_alice, import_tasks):
    first = import_tasks(as_alice, [{"title": "Once"}], idempotencyKey="k-1")
    again = import_tasks(as_alice, [{"title": "Once"}], idempotencyKey="k-1")

    assert again["id"] == first["id"]
    assert again["status"] == "COMPLETED"
    assert Task.objects.count() == 1
    assert Job.objects.filter(kind=JobKind.INGEST).count() == 1


def test_a_key_is_shared_by_both_front_doors(as_alice, alice):
    rest = ApiClient(alice).post("/api/data/ingest/", [{"title": "x"}], **{"Idempotency-Key": "k"})
    graphql = as_alice.run("importTasks", records=[{"title": "x"}], idempotencyKey="k")

    assert graphql["id"] == str(rest.json()["job_id"])


def test_a_bad_enum_in_a_record_is_refused_before_anything_is_queued(as_alice):
    answer = as_alice.execute(
        operation("importTasks"), {"records": [{"title": "x", "status": "SOMETIMES"}]}
    )

    assert answer["data"] is None
    assert "SOMETIMES" in answer["errors"][0]["message"]
    assert not Job.objects.exists()


def test_importing_needs_a_token(anonymous):
    answer = anonymous.execute(operation("importTasks"), {"records": [{"title": "x"}]})

    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not Job.objects.exists()


def test_someone_elses_import_is_not_found(as_alice, as_mallory):
    job = as_alice.run("importTasks", records=[{"title": "Private"}])

    assert as_mallory.run("job", id=job["id"]) is None
