"""/api/jobs/ (brief 002): submit, list, detail, delete; the same rules as GraphQL's jobs."""

import pytest

from backend.jobs.models import Job, JobStatus
from backend.jobs.services import complete_job, report_progress, start_job, submit_job
from tests.rest.conftest import assert_error

JOB_FIELDS = {
    "id", "kind", "title", "description", "status", "progress", "result", "error",
    "celery_task_id", "attempts", "owner", "created_at", "updated_at", "started_at",
    "finished_at",
}  # fmt: skip


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Send a request and run what it queued after commit (here: the job, in-process)."""

    def send(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return send


def test_submitted_job_is_pending_in_the_briefs_envelope(api_alice, alice):
    response = api_alice.post("/api/jobs/", {"title": " Crunch ", "description": "numbers"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Job created and processing started"
    job = body["job"]
    assert set(job) == JOB_FIELDS
    assert (job["kind"], job["status"], job["title"], job["progress"]) == (
        "process", "PENDING", "Crunch", 0,
    )  # fmt: skip
    assert job["owner"] == {"id": alice.id, "username": "alice", "email": "alice@example.com"}
    assert Job.objects.get(id=job["id"]).celery_task_id == job["celery_task_id"]


def test_submitted_job_runs_to_completion(api_alice, run_on_commit):
    job = run_on_commit(api_alice.post, "/api/jobs/", {"title": "Crunch"}).json()["job"]

    detail = api_alice.get(f"/api/jobs/{job['id']}/")

    assert detail.status_code == 200
    job = detail.json()["job"]
    assert (job["status"], job["progress"], job["attempts"]) == ("COMPLETED", 100, 1)
    assert job["result"]["message"].startswith("Processed in")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["title"]),
        ({"title": "   "}, ["title"]),
        ({"title": "x" * 256}, ["title"]),
        ({"title": "Crunch", "kind": "juggle"}, ["kind"]),
        ({"title": "Crunch", "kind": "ingest"}, ["kind"]),
        ({"title": "Crunch", "description": ["a"]}, ["description"]),
        ({"kind": "export", "filters": {"status": "lost"}}, ["filters.status"]),
        ({"kind": "export", "filters": {"colour": "red"}}, ["filters.colour"]),
        ({"kind": "export", "filters": ["pending"]}, ["filters"]),
    ],
)
def test_bad_submissions_are_400_with_field_errors(api_alice, body, fields):
    response = api_alice.post("/api/jobs/", body)

    assert_error(response, 400, *fields)
    assert Job.objects.count() == 0


def test_a_body_that_is_not_an_object_is_400(api_alice):
    assert_error(api_alice.post("/api/jobs/", '["title"]'), 400)
    assert_error(api_alice.post("/api/jobs/", "{not json"), 400)


def test_jobs_need_a_token(api, alice):
    job = submit_job(actor=alice, title="Private")

    assert_error(api.get("/api/jobs/"), 401)
    assert_error(api.post("/api/jobs/", {"title": "x"}), 401)
    assert_error(api.get(f"/api/jobs/{job.id}/"), 401)
    assert_error(api.delete(f"/api/jobs/{job.id}/"), 401)
    assert Job.objects.count() == 1


def test_list_holds_only_your_jobs_newest_first(api_alice, alice, bob):
    first = submit_job(actor=alice, title="first")
    submit_job(actor=bob, title="bob's")
    second = submit_job(actor=alice, title="second")

    body = api_alice.get("/api/jobs/").json()

    assert body["count"] == 2
    assert [job["id"] for job in body["results"]] == [second.id, first.id]
    assert (body["next"], body["previous"]) == (None, None)


def test_list_is_paginated_like_the_other_lists(api_alice, alice):
    ids = [submit_job(actor=alice, title=f"job {n}").id for n in range(5)]

    first = api_alice.get("/api/jobs/", {"page_size": 2}).json()
    last = api_alice.get("/api/jobs/", {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5
    assert [job["id"] for job in first["results"]] == ids[::-1][:2]
    assert first["next"].endswith("/api/jobs/?page=2&page_size=2")
    assert [job["id"] for job in last["results"]] == [ids[0]]
    assert last["next"] is None
    assert_error(api_alice.get("/api/jobs/", {"page": 4, "page_size": 2}), 404)
    assert_error(api_alice.get("/api/jobs/", {"page": "zero"}), 404)
    assert_error(api_alice.get("/api/jobs/", {"page_size": "-1"}), 400, "page_size")


def test_list_filters_on_status_kind_search_and_days(api_alice, alice):
    done = submit_job(actor=alice, title="Quarterly numbers")
    Job.objects.filter(id=done.id).update(status=JobStatus.COMPLETED)
    submit_job(actor=alice, title="Weekly digest")

    def ids(**params):
        return [job["id"] for job in api_alice.get("/api/jobs/", params).json()["results"]]

    assert ids(status="COMPLETED") == [done.id]
    assert ids(status="PENDING,COMPLETED", search="quarterly") == [done.id]
    assert ids(kind="export") == []
    today = done.created_at.date().isoformat()
    assert len(ids(start_date=today, end_date=today)) == 2
    assert ids(end_date="2000-01-01") == []
    assert ids(ordering="title")[0] == done.id
    assert_error(api_alice.get("/api/jobs/", {"status": "DONE"}), 400, "status")
    assert_error(api_alice.get("/api/jobs/", {"start_date": "soon"}), 400, "start_date")
    assert_error(api_alice.get("/api/jobs/", {"ordering": "owner"}), 400, "ordering")


def test_staff_see_and_may_delete_everyones_jobs(api_staff, alice, bob):
    alices = submit_job(actor=alice, title="alice's")
    submit_job(actor=bob, title="bob's")

    assert api_staff.get("/api/jobs/").json()["count"] == 2
    assert api_staff.get(f"/api/jobs/{alices.id}/").json()["job"]["owner"]["id"] == alice.id
    assert api_staff.delete(f"/api/jobs/{alices.id}/").status_code == 200
    assert not Job.objects.filter(id=alices.id).exists()


def test_someone_elses_job_is_not_found_for_every_method(api_mallory, alice):
    job = submit_job(actor=alice, title="Private")

    assert api_mallory.get("/api/jobs/").json()["count"] == 0
    assert_error(api_mallory.get(f"/api/jobs/{job.id}/"), 404)
    assert_error(api_mallory.delete(f"/api/jobs/{job.id}/"), 404)
    assert_error(api_mallory.get("/api/jobs/99999999999999999999/"), 404)
    assert Job.objects.filter(id=job.id).exists()


def test_owner_deletes_a_job_with_the_briefs_message(api_alice, alice):
    job = submit_job(actor=alice, title="Done with it")

    response = api_alice.delete(f"/api/jobs/{job.id}/")

    assert response.status_code == 200
    assert response.json() == {"message": f"Job {job.id} deleted successfully"}
    assert_error(api_alice.get(f"/api/jobs/{job.id}/"), 404)


def test_deleting_a_running_job_cancels_it(api_alice, alice):
    job = submit_job(actor=alice, title="Long")
    running = start_job(job_id=job.id)

    assert api_alice.delete(f"/api/jobs/{job.id}/").status_code == 200

    # What its worker does next finds the job gone and stops, announcing nothing.
    assert report_progress(job=running, progress=50) is False
    assert complete_job(job=running, result={}) is False
    assert not Job.objects.filter(id=job.id).exists()


def test_jobs_do_not_accept_put_or_patch(api_alice, alice):
    job = submit_job(actor=alice, title="Fixed")

    assert_error(api_alice.put(f"/api/jobs/{job.id}/", {"title": "x"}), 405)
    assert_error(api_alice.patch(f"/api/jobs/{job.id}/", {"title": "x"}), 405)


def test_openapi_describes_jobs_and_the_export_with_their_errors(api):
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert set(paths["/api/jobs/"]) == {"get", "post"}
    assert {"status", "kind", "search", "start_date", "end_date", "ordering", "page"} <= {
        parameter["name"] for parameter in paths["/api/jobs/"]["get"]["parameters"]
    }
    assert set(paths["/api/jobs/{id}/"]) == {"get", "delete"}
    assert {"200", "401", "404"} <= set(paths["/api/jobs/{id}/"]["delete"]["responses"])
    download = paths["/api/jobs/{id}/download/"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(download)
    assert "No such export, not yours" in download["404"]["description"]
    assert "text/csv" in download["200"]["content"]
    export = paths["/api/tasks/export/"]["post"]
    assert {"202", "400", "401"} <= set(export["responses"])
    assert "status" in {parameter["name"] for parameter in export["parameters"]}
