"""POST /api/data/ingest/ and GET /api/data/status/<job_id>/: brief 004's bulk ingestion."""

import io
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import override_settings

from backend.jobs.ingestion import MAX_RECORDS
from backend.jobs.models import Ingestion, Job, JobKind, JobStatus
from backend.jobs.services import fail_job, submit_job
from backend.tasks.models import Task
from backend.tasks.services import create_task
from tests.rest.conftest import ApiClient, assert_error
from tests.services.test_ingestion import exported_csv

INGEST = "/api/data/ingest/"


def status_of(client, job_id):
    response = client.get(f"/api/data/status/{job_id}/")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """POST to the ingest endpoint and run what it queued (the job, in-process) after commit."""

    def post(client, body, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(INGEST, body, **headers)

    return post


def test_an_import_is_accepted_at_once_with_its_job_and_stays_pending_until_a_worker_runs(
    api_alice,
):
    response = api_alice.post(INGEST, {"records": [{"title": "One"}, {"title": "Two"}]})

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "PENDING"
    assert body["progress"] == 0
    assert body["total"] == 2
    assert body["imported"] is None and body["errors"] == []
    assert response["Location"] == body["status_url"]
    assert body["status_url"].endswith(f"/api/data/status/{body['job_id']}/")
    job = Job.objects.get(id=body["job_id"])
    assert job.kind == JobKind.INGEST
    assert job.title == "Import of 2 tasks"
    assert Ingestion.objects.get(job=job).total == 2  # stored before the answer
    assert not Task.objects.exists()
    assert status_of(api_alice, job.id)["status"] == "PENDING"


def test_valid_and_invalid_records_complete_with_counts_and_errors_per_record(
    api_alice, alice, bob, project, ingest
):
    records = [
        {"title": "Ship it", "priority": "high", "project_id": project.id, "assignee_id": bob.id},
        {"title": "", "status": "pending"},
        {"title": "Due", "due_date": "2030-01-01T10:00:00Z"},
        {"title": "Nowhere", "project_id": 424242},
    ]

    job_id = ingest(api_alice, {"records": records}).json()["job_id"]

    status = status_of(api_alice, job_id)
    assert status["status"] == "COMPLETED"
    assert status["progress"] == 100
    assert (status["total"], status["imported"], status["failed"]) == (4, 2, 2)
    assert status["errors"] == [
        {"index": 1, "field": "title", "message": "This field cannot be blank.", "code": "blank"},
        {
            "index": 3,
            "field": "project_id",
            "message": "No such project.",
            "code": "project_not_found",
        },
    ]
    assert status["finished_at"] >= status["started_at"]
    assert set(Task.objects.values_list("title", flat=True)) == {"Ship it", "Due"}
    # The imported tasks are ordinary tasks: listed to those who may see them.
    titles = [task["title"] for task in ApiClient(bob).get("/api/tasks/").json()["results"]]
    assert titles == ["Ship it"]


def test_a_bare_json_array_of_records_is_accepted_too(api_alice, ingest):
    response = ingest(api_alice, [{"title": "A"}, {"title": "B"}])

    assert response.status_code == 202
    assert status_of(api_alice, response.json()["job_id"])["imported"] == 2


def test_more_than_a_thousand_records_are_refused_as_too_large(api_alice):
    response = api_alice.post(INGEST, {"records": [{"title": "x"}] * (MAX_RECORDS + 1)})

    body = assert_error(response, 413, "records")
    assert "1,001 sent, at most 1,000 per import" in body["error"]
    assert not Job.objects.exists()


def test_exactly_a_thousand_records_are_accepted(api_alice):
    response = api_alice.post(INGEST, {"records": [{"title": "x"}] * MAX_RECORDS})
    assert response.status_code == 202
    assert response.json()["total"] == MAX_RECORDS


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_a_body_over_the_size_limit_is_refused_as_too_large(api_alice):
    assert_error(api_alice.post(INGEST, {"records": [{"title": "x" * 20_000}]}), 413)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"records": []}, ["records"]),
        ({"records": "title"}, ["records"]),
        ({"tasks": [{"title": "x"}]}, ["records"]),
        ({}, ["records"]),
        ("42", ["records"]),
        ("null", ["records"]),
        ('{"records": [', []),
    ],
)
def test_a_body_that_is_not_a_list_of_records_is_a_bad_request(api_alice, body, fields):
    assert_error(api_alice.post(INGEST, body), 400, *fields)
    assert not Job.objects.exists()


def test_importing_needs_a_token(api):
    assert_error(api.post(INGEST, {"records": [{"title": "x"}]}), 401)
    assert not Job.objects.exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_same_job_and_imports_nothing_twice(
    api_alice, ingest
):
    records = {"records": [{"title": "Once"}, {"title": "Only once"}]}

    first = ingest(api_alice, records, **{"Idempotency-Key": "batch-7"})
    retry = ingest(api_alice, records, **{"Idempotency-Key": "batch-7"})

    assert first.status_code == retry.status_code == 202
    assert retry.json()["job_id"] == first.json()["job_id"]
    assert retry.json()["status"] == "COMPLETED"
    assert Job.objects.count() == 1
    assert Task.objects.count() == 2
    other = ingest(api_alice, records, **{"Idempotency-Key": "batch-8"})
    assert other.json()["job_id"] != first.json()["job_id"]


def test_an_overlong_idempotency_key_is_a_field_error(api_alice):
    response = api_alice.post(INGEST, [{"title": "x"}], **{"Idempotency-Key": "k" * 300})
    assert_error(response, 400, "idempotency_key")


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_make_one_job_and_import_once(alice):
    clients = [ApiClient(alice) for _ in range(6)]
    start = threading.Barrier(len(clients))
    answers = []

    def send(client):
        start.wait()
        try:
            # Tests run jobs in-process on commit: the winner imports while the others answer.
            answers.append(
                client.post(INGEST, [{"title": "Racy"}] * 150, **{"Idempotency-Key": "same"})
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [202] * len(clients)
    assert len({answer.json()["job_id"] for answer in answers}) == 1
    assert Job.objects.count() == 1
    assert Task.objects.count() == 150


def test_only_the_owner_and_staff_see_an_import(api_alice, api_mallory, api_staff, api, alice):
    job_id = api_alice.post(INGEST, [{"title": "Mine"}]).json()["job_id"]

    assert status_of(api_alice, job_id)["job_id"] == job_id
    assert status_of(api_staff, job_id)["job_id"] == job_id
    assert_error(api_mallory.get(f"/api/data/status/{job_id}/"), 404)
    assert_error(api.get(f"/api/data/status/{job_id}/"), 401)


@pytest.mark.parametrize("job_id", ["0", "abc", "99999999999999999999", "424242"])
def test_impossible_or_unknown_job_ids_are_not_found(api_alice, job_id):
    assert_error(api_alice.get(f"/api/data/status/{job_id}/"), 404)


def test_the_status_of_a_job_that_is_not_an_import_is_not_found(api_alice, alice):
    job = submit_job(actor=alice, title="Crunch")
    assert_error(api_alice.get(f"/api/data/status/{job.id}/"), 404)


def test_a_failed_import_says_why(api_alice):
    job_id = api_alice.post(INGEST, [{"title": "x"}]).json()["job_id"]
    fail_job(job_id=job_id, error="No worker finished this job.")

    status = status_of(api_alice, job_id)
    assert status["status"] == "FAILED"
    assert status["error"] == "No worker finished this job."
    assert status["imported"] is None


def test_a_processing_import_shows_its_percentage(api_alice):
    job_id = api_alice.post(INGEST, [{"title": "x"}]).json()["job_id"]
    Job.objects.filter(id=job_id).update(status=JobStatus.PROCESSING, progress=70)

    status = status_of(api_alice, job_id)
    assert (status["status"], status["progress"]) == ("PROCESSING", 70)


def test_an_exported_csv_uploaded_as_a_file_imports_back(api_alice, alice, bob, project, ingest):
    originals = [
        create_task(
            actor=alice,
            title="Plan, then act",
            description='Say "hello"\nthen go',
            status="in_progress",
            priority="urgent",
            due_date=datetime(2031, 5, 1, 9, 30, tzinfo=UTC),
            project_id=project.id,
            assignee_id=bob.id,
        ),
        create_task(actor=alice, title="Personal"),
    ]
    upload = io.BytesIO(exported_csv(originals).encode())
    upload.name = "tasks.csv"

    response = ingest(_MultipartClient(api_alice), {"file": upload})

    assert response.status_code == 202, response.content
    job = Job.objects.get(id=response.json()["job_id"])
    assert job.title == "Import of tasks.csv"
    assert status_of(api_alice, job.id)["imported"] == 2
    fields = ("title", "description", "status", "priority", "due_date", "project_id", "assignee_id")
    copies = Task.objects.exclude(id__in=[task.id for task in originals]).order_by("id")
    assert [tuple(getattr(task, name) for name in fields) for task in copies] == [
        tuple(getattr(task, name) for name in fields) for task in originals
    ]


class _MultipartClient:
    """Posts multipart/form-data, as a browser or `curl -F file=@tasks.csv` does."""

    def __init__(self, client):
        self.client = client

    def post(self, path, data, **headers):
        return self.client.http.post(path, data, headers={**self.client.headers, **headers})


def test_a_csv_body_imports_and_reports_its_bad_lines(api_alice, ingest):
    text = "title,priority,due_date\nFirst,high,\nSecond,sometimes,\n,low,2030-01-01\n"

    with_csv = ingest(_CSVClient(api_alice), text)

    assert with_csv.status_code == 202, with_csv.content
    status = status_of(api_alice, with_csv.json()["job_id"])
    assert (status["imported"], status["failed"]) == (1, 2)
    assert [(error["index"], error["field"]) for error in status["errors"]] == [
        (1, "priority"),
        (2, "title"),
    ]


class _CSVClient:
    def __init__(self, client):
        self.client = client

    def post(self, path, text, **headers):
        return self.client.http.post(
            path, text.encode(), content_type="text/csv", headers={**self.client.headers, **headers}
        )


@pytest.mark.parametrize(
    ("text", "status", "field"),
    [
        ("name\nx\n", 400, "file"),
        ("", 400, "records"),
        ("title\n" + "x\n" * (MAX_RECORDS + 1), 413, "records"),
    ],
)
def test_bad_or_oversize_csv_is_refused(api_alice, text, status, field):
    assert_error(_CSVClient(api_alice).post(INGEST, text), status, field)
    assert not Job.objects.exists()


def test_a_csv_that_is_not_utf8_is_a_bad_request(api_alice):
    response = api_alice.http.post(
        INGEST,
        "title\ncaf\xe9\n".encode("latin-1"),
        content_type="text/csv",
        headers=api_alice.headers,
    )
    assert_error(response, 400)


def test_a_csv_upload_that_is_not_utf8_is_a_bad_request(api_alice):
    upload = io.BytesIO("title\ncaf\xe9\n".encode("latin-1"))
    upload.name = "latin.csv"
    assert_error(_MultipartClient(api_alice).post(INGEST, {"file": upload}), 400, "file")


@pytest.mark.django_db(transaction=True)
def test_imported_tasks_show_in_lists_cached_before_the_import(alice, bob, project, ingest):
    bobs = ApiClient(bob)
    assert bobs.get("/api/tasks/").json()["count"] == 0
    assert bobs.get("/api/tasks/").json()["count"] == 0  # now from the cache

    ingest(ApiClient(alice), [{"title": "New", "project_id": project.id}])

    assert bobs.get("/api/tasks/").json()["count"] == 1
