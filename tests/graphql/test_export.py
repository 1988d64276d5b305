"""exportTasks: the same export as POST /api/tasks/export/, over GraphQL."""

import csv
import io

import pytest

from backend.jobs.models import Job
from backend.notifications.models import Notification
from backend.tasks.services import create_task
from tests.conftest import operation
from tests.rest.conftest import ApiClient


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def export(django_capture_on_commit_callbacks):
    def run(client, filters=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.run("exportTasks", filters=filters)

    return run


def downloaded_ids(user, job_id) -> list[int]:
    response = ApiClient(user).get(f"/api/jobs/{job_id}/download/")
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content).decode()
    return [int(row[0]) for row in list(csv.reader(io.StringIO(content, newline="")))[1:]]


def test_export_tasks_queues_an_export_job_that_completes_and_tells_its_owner(
    as_alice, alice, task, export
):
    job = export(as_alice)

    assert (job["kind"], job["status"], job["title"]) == ("EXPORT", "PENDING", "Export of tasks")
    finished = as_alice.run("job", id=job["id"])
    assert (finished["status"], finished["progress"]) == ("COMPLETED", 100)
    assert finished["result"]["rows"] == 1
    assert finished["result"]["download_url"].endswith(f"/api/jobs/{job['id']}/download/")
    assert downloaded_ids(alice, job["id"]) == [task.id]
    notification = Notification.objects.get(user=alice)
    assert notification.data == {"job_id": int(job["id"]), "status": "COMPLETED"}


def test_export_tasks_reads_the_task_lists_filters(as_bob, bob, alice, project, export):
    mine = create_task(actor=bob, title="Bob's", priority="urgent")
    create_task(actor=alice, title="Alice's, in the project", project_id=project.id)
    create_task(actor=alice, title="Alice's own")

    everything = export(as_bob)
    urgent = export(as_bob, {"priority": ["URGENT"]})
    in_project = export(as_bob, {"project": str(project.id), "search": "ALICE"})

    assert len(downloaded_ids(bob, everything["id"])) == 2  # not Alice's own task
    assert downloaded_ids(bob, urgent["id"]) == [mine.id]
    assert len(downloaded_ids(bob, in_project["id"])) == 1


def test_export_tasks_with_an_impossible_id_is_refused(as_alice):
    payload = as_alice.run("exportTasks", filters={"project": "not-an-id"})

    (message,) = payload["messages"]
    assert (message["field"], message["code"]) == ("filters", "invalid_id")
    assert Job.objects.count() == 0


def test_export_tasks_requires_a_token(anonymous):
    answer = anonymous.execute(operation("exportTasks"), {})

    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert Job.objects.count() == 0
