"""POST /api/tasks/export/ and the download of its file: content, filters, who may fetch it."""

import csv
import io
from datetime import UTC, datetime

import pytest

from backend.jobs.exports import request_export
from backend.jobs.models import Job, JobKind, JobStatus
from backend.jobs.services import submit_job
from backend.tasks.csv_columns import EXPORTED_COLUMNS
from backend.tasks.models import Task
from backend.tasks.services import create_task
from tests.rest.conftest import ApiClient, assert_error

DUE = datetime(2030, 1, 31, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    """Ask for an export as `client` and run it (in-process, after commit); the job's JSON."""

    def run(client: ApiClient, query: str = "", body=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/tasks/export/{query}", body)
        assert response.status_code == 202, response.content
        job_id = response.json()["job"]["id"]
        # Absolute, as the ingestion's and the report's: a client follows it as it is.
        assert response["Location"] == f"http://testserver/api/jobs/{job_id}/"
        return client.get(f"/api/jobs/{job_id}/").json()["job"]

    return run


def rows_of(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content, newline="")))


def expected_row(task: Task) -> list[str]:
    """A task as the file must show it, from the database, formatted independently."""
    task.refresh_from_db()

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
        return str(value)

    return [cell(getattr(task, column)) for column in EXPORTED_COLUMNS]


@pytest.fixture
def known_tasks(alice, bob, project):
    """Alice's tasks: in her project (one assigned to Bob, one awkward to quote), one personal."""
    return [
        create_task(actor=alice, title="Launch plan", project_id=project.id, priority="high",
                    due_date=DUE, assignee_id=bob.id),
        create_task(actor=alice, title='Quote "this", please',
                    description="two\nlines, and a comma", project_id=project.id),
        create_task(actor=alice, title="Personal errand", status="completed"),
    ]  # fmt: skip


def test_export_writes_the_visible_tasks_in_the_shared_column_shape(
    api_alice, alice, known_tasks, mallory, export
):
    create_task(actor=mallory, title="Mallory's own")

    job = export(api_alice)

    assert (job["kind"], job["status"], job["progress"]) == ("export", "COMPLETED", 100)
    assert job["result"]["rows"] == 3
    assert job["result"]["download_url"] == f"http://127.0.0.1:8000/api/jobs/{job['id']}/download/"
    response = api_alice.get(f"/api/jobs/{job['id']}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="tasks-{job["id"]}.csv"'
    assert rows_of(response) == [list(EXPORTED_COLUMNS)] + [expected_row(t) for t in known_tasks]


def test_export_quotes_cells_as_csv_does(api_alice, known_tasks, export):
    job = export(api_alice, "?search=quote")

    content = b"".join(api_alice.get(f"/api/jobs/{job['id']}/download/").streaming_content)
    quoted = known_tasks[1]
    assert content.decode().splitlines()[1].startswith(f'{quoted.id},"Quote ""this"", please","two')
    assert content.endswith(b"\r\n")


def test_export_leaves_out_another_users_private_tasks(api_bob, alice, known_tasks, export):
    job = export(api_bob)

    rows = rows_of(api_bob.get(f"/api/jobs/{job['id']}/download/"))
    # Bob is a member of the project: he sees its two tasks, not Alice's personal errand.
    assert [row[0] for row in rows[1:]] == [str(known_tasks[0].id), str(known_tasks[1].id)]


def test_export_applies_the_task_lists_filters(api_alice, known_tasks, project, bob, export):
    def ids(query="", body=None):
        job = export(api_alice, query, body)
        rows = rows_of(api_alice.get(f"/api/jobs/{job['id']}/download/"))
        return [int(row[0]) for row in rows[1:]]

    launch, quoted, errand = (task.id for task in known_tasks)
    assert ids("?status=completed") == [errand]
    assert ids("?status=pending,in_progress&priority=high") == [launch]
    assert ids(f"?project={project.id}&search=QUOTE") == [quoted]
    assert ids(f"?assignee={bob.id}") == [launch]
    assert ids("?due_after=2030-01-31T00:00:00Z&due_before=2030-02-01T00:00:00Z") == [launch]
    assert ids("?overdue=true") == []
    today = known_tasks[0].created_at.date().isoformat()
    assert ids(f"?start_date={today}&end_date={today}") == [launch, quoted, errand]
    assert ids("?end_date=2000-01-01") == []
    # The same filters in a JSON body, lists allowed.
    assert ids(body={"status": ["pending", "completed"], "project": project.id}) == [launch, quoted]
    assert ids(body={"overdue": False, "search": "errand"}) == [errand]


@pytest.mark.parametrize(
    ("query", "body", "fields"),
    [
        ("?status=lost", None, ["status"]),
        ("?project=abc", None, ["project"]),
        ("?due_after=tomorrow", None, ["due_after"]),
        ("", {"priority": ["high", "cosmic"]}, ["priority"]),
        ("", {"colour": "red"}, ["colour"]),
        ("", ["status"], []),
    ],
)
def test_bad_export_filters_are_400_and_queue_nothing(api_alice, query, body, fields):
    response = api_alice.post(f"/api/tasks/export/{query}", body)

    assert_error(response, 400, *fields)
    assert Job.objects.count() == 0


def test_export_needs_a_token(api):
    assert_error(api.post("/api/tasks/export/"), 401)
    assert Job.objects.count() == 0


def test_only_the_owner_downloads_the_file(api_alice, alice, known_tasks, mallory, staff, export):
    url = f"/api/jobs/{export(api_alice)['id']}/download/"

    assert_error(ApiClient().get(url), 401)
    assert_error(ApiClient(mallory).get(url), 404)
    # Staff see the job, but the file holds what its owner sees: it is the owner's alone.
    assert_error(ApiClient(staff).get(url), 404)
    assert api_alice.get(url, HTTP_ACCEPT="text/csv").status_code == 200


def test_the_file_is_not_under_a_public_media_url(api_alice, known_tasks, export, media):
    job = Job.objects.get(id=export(api_alice)["id"])

    assert (media / job.file.name).is_file()
    assert ApiClient().get(f"/media/{job.file.name}").status_code == 404
    assert ApiClient(job.owner).get(f"/media/{job.file.name}").status_code == 404


def test_an_unfinished_or_other_job_has_no_file_to_download(api_alice, alice):
    pending = request_export(actor=alice, criteria={})
    process = submit_job(actor=alice, title="Crunch")
    Job.objects.filter(id=process.id).update(status=JobStatus.COMPLETED)

    assert_error(api_alice.get(f"/api/jobs/{pending.id}/download/"), 404)
    assert_error(api_alice.get(f"/api/jobs/{process.id}/download/"), 404)


def test_deleting_a_finished_export_removes_its_file_once_committed(
    api_alice, known_tasks, export, media, django_capture_on_commit_callbacks
):
    job = Job.objects.get(id=export(api_alice)["id"])
    path = media / job.file.name
    assert path.is_file()

    with django_capture_on_commit_callbacks() as on_commit:
        assert api_alice.delete(f"/api/jobs/{job.id}/").status_code == 200
        assert path.is_file()
    for callback in on_commit:
        callback()

    assert not path.exists()
    assert not Job.objects.filter(kind=JobKind.EXPORT).exists()
