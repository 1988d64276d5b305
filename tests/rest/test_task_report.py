"""GET /api/tasks/report/ (the report, with the list's filters) and POST (a report job)."""

import pytest

from backend.jobs.models import Job
from backend.notifications.models import Notification
from backend.tasks.services import create_task
from tests.report_data import counted_in_sql, make_board
from tests.rest.conftest import ApiClient, assert_error


@pytest.fixture
def board(alice, bob, mallory, project):
    return make_board(alice, bob, mallory, project)


def as_numbers(report) -> dict:
    return {
        "total": report["total"],
        "by_status": {row["status"]: row["count"] for row in report["by_status"]},
        "by_priority": {row["priority"]: row["count"] for row in report["by_priority"]},
        "overdue": report["overdue"],
        "personal": report["personal"],
        "by_project": {row["project_id"]: row["count"] for row in report["by_project"]},
    }


def report_of(client, **params):
    response = client.get("/api/tasks/report/", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_report_counts_what_sql_counts_for_the_asker(api_bob, bob, board):
    body = report_of(api_bob)
    assert as_numbers(body["report"]) == counted_in_sql(bob)
    assert body["cached"] is False


def test_the_report_takes_the_list_filters(api_alice, alice, board):
    body = report_of(api_alice, status="pending,in_progress", due_before="2100-01-01T00:00:00Z")
    where = "t.status IN ('pending', 'in_progress') AND t.due_date <= '2100-01-01'"
    assert as_numbers(body["report"]) == counted_in_sql(alice, where)


def test_top_projects_caps_by_project(api_alice, board):
    (top,) = report_of(api_alice, top_projects=1)["report"]["by_project"]
    assert top == {
        "project_id": board["shared"].id,
        "name": "Launch",
        "count": 4,
        "completed": 1,
        "overdue": 1,
    }


def test_anonymous_is_refused(api):
    assert_error(api.get("/api/tasks/report/"), 401)
    assert_error(api.post("/api/tasks/report/"), 401)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "done"}, "status"),
        ({"due_before": "yesterday"}, "due_before"),
        ({"project": "abc"}, "project"),
        ({"top_projects": "many"}, "top_projects"),
        ({"top_projects": "0"}, "top_projects"),
        ({"top_projects": "101"}, "top_projects"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(api_alice, params, field):
    assert_error(api_alice.get("/api/tasks/report/", params), 400, field)
    assert_error(api_alice.post(f"/api/tasks/report/?{_query(params)}"), 400, field)
    assert not Job.objects.exists()


def _query(params):
    return "&".join(f"{name}={value}" for name, value in params.items())


def test_stats_are_the_reports_counts_by_status(api_alice, alice, board):
    response = api_alice.get("/api/tasks/stats/")
    assert response.status_code == 200
    expected = counted_in_sql(alice)
    assert response.json() == {
        "stats": [{"status": s, "count": c} for s, c in expected["by_status"].items()],
        "total": expected["total"],
    }


def test_post_queues_a_report_job_whose_result_is_the_report(
    api_alice, alice, board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_alice.post(
            "/api/tasks/report/?top_projects=3", {"priority": ["high", "urgent"]}
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["message"] == "Report queued"
    assert (body["job"]["kind"], body["job"]["status"]) == ("report", "PENDING")
    assert response["Location"] == f"http://testserver/api/jobs/{body['job']['id']}/"
    job = Job.objects.get(id=body["job"]["id"])
    assert job.status == "COMPLETED"
    assert job.params == {"criteria": {"priority": ["high", "urgent"]}, "top_projects": 3}
    expected = counted_in_sql(alice, "t.priority IN ('high', 'urgent')")
    assert job.result["total"] == expected["total"]
    assert job.result["by_priority"] == expected["by_priority"]
    assert Notification.objects.get(user=alice, kind="report_ready").data["job_id"] == job.id
    # The owner follows it where every job is.
    detail = api_alice.get(f"/api/jobs/{job.id}/")
    assert detail.status_code == 200
    assert detail.json()["job"]["result"]["total"] == expected["total"]


def test_post_refuses_a_filter_the_list_does_not_know(api_alice):
    assert_error(api_alice.post("/api/tasks/report/", {"statuss": "pending"}), 400, "statuss")
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_cached_report_is_fresh_after_a_write_by_someone_else(alice, bob, project):
    client = ApiClient(bob)
    create_task(actor=alice, title="First", project_id=project.id)
    assert report_of(client)["cached"] is False
    cached = report_of(client)
    assert cached["cached"] is True
    assert cached["report"]["total"] == 1

    create_task(actor=alice, title="Second", project_id=project.id)
    fresh = report_of(client)
    assert fresh["cached"] is False
    assert fresh["report"]["total"] == 2
