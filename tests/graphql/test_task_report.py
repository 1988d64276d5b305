"""taskReport and requestReport over GraphQL: the numbers, who may ask, bad input, the cache."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.jobs.models import Job
from backend.notifications.models import Notification
from backend.tasks.services import create_task
from tests.conftest import GraphQLClient, operation
from tests.report_data import counted_in_sql, make_board


@pytest.fixture
def board(alice, bob, mallory, project):
    return make_board(alice, bob, mallory, project)


def as_numbers(report) -> dict:
    """A taskReport answer in the shape of `counted_in_sql`."""
    return {
        "total": report["total"],
        "by_status": {row["status"].lower(): row["count"] for row in report["byStatus"]},
        "by_priority": {row["priority"].lower(): row["count"] for row in report["byPriority"]},
        "overdue": report["overdue"],
        "personal": report["personal"],
        "by_project": {int(row["projectId"]): row["count"] for row in report["byProject"]},
    }


def test_task_report_counts_what_sql_counts_for_the_asker_only(as_alice, as_bob, alice, bob, board):
    for client, user in ((as_alice, alice), (as_bob, bob)):
        report = client.run("taskReport")
        assert as_numbers(report) == counted_in_sql(user)
        assert report["completed"] + report["pending"] + report["inProgress"] == report["total"]
    assert str(board["hers"].id) not in {
        p["projectId"] for p in as_alice.run("taskReport")["byProject"]
    }


def test_task_report_takes_the_task_list_filters(as_alice, alice, board):
    report = as_alice.run(
        "taskReport", filters={"status": ["PENDING"], "priority": ["HIGH", "LOW"]}
    )
    where = "t.status = 'pending' AND t.priority IN ('high', 'low')"
    assert as_numbers(report) == counted_in_sql(alice, where)
    assert report["total"] == 2


def test_by_project_is_the_top_n_with_names(as_alice, board):
    report = as_alice.run("taskReport", topProjects=1)
    assert report["byProject"] == [
        {
            "projectId": str(board["shared"].id),
            "name": "Launch",
            "count": 4,
            "completed": 1,
            "overdue": 1,
        }
    ]


def test_anonymous_may_not_ask_for_a_report(anonymous):
    answer = anonymous.execute(operation("taskReport"))
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("top", [0, -1, 101])
def test_a_top_projects_outside_its_range_is_bad_user_input(as_alice, board, top):
    answer = as_alice.execute(operation("taskReport"), {"topProjects": top})
    assert answer["data"] is None
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "topProjects: Between 1 and 100."


def test_an_unknown_status_is_refused_by_validation(as_alice):
    answer = as_alice.execute(operation("taskReport"), {"filters": {"status": ["DONE"]}})
    assert answer["data"] is None
    assert "DONE" in answer["errors"][0]["message"]


def test_an_id_that_cannot_exist_reports_nothing(as_alice, board):
    report = as_alice.run("taskReport", filters={"project": "not-a-number"})
    assert report["total"] == 0
    assert report["byProject"] == []
    assert {row["count"] for row in report["byStatus"]} == {0}


def test_request_report_runs_a_report_job_that_announces_report_ready(
    as_alice, alice, board, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = as_alice.run("requestReport", filters={"status": ["PENDING"]}, topProjects=2)
    assert submitted["kind"] == "REPORT"

    job = as_alice.run("job", id=submitted["id"])
    assert job["status"] == "COMPLETED"
    now = as_alice.run("taskReport", filters={"status": ["PENDING"]}, topProjects=2)
    result = job["result"]
    assert result["total"] == now["total"] == 3
    assert result["by_status"] == {"pending": 3, "in_progress": 0, "completed": 0}
    assert [p["project_id"] for p in result["by_project"]] == [
        int(p["projectId"]) for p in now["byProject"]
    ]
    (notification,) = Notification.objects.filter(user=alice)
    assert notification.kind == "report_ready"
    assert notification.data == {"job_id": int(job["id"]), "status": "COMPLETED"}
    assert Job.objects.get(id=job["id"]).params == {
        "criteria": {"status": ["pending"]},
        "top_projects": 2,
    }


def test_request_report_with_a_bad_top_projects_is_a_field_error(as_alice):
    payload = as_alice.run("requestReport", topProjects=0)
    (message,) = payload["messages"]
    assert (message["field"], message["code"]) == ("topProjects", "invalid_top_projects")
    assert not Job.objects.exists()


def test_anonymous_may_not_request_a_report(anonymous):
    answer = anonymous.execute(operation("requestReport"))
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_cached_report_is_served_without_sql_until_a_write_changes_it(alice, bob, project):
    client = GraphQLClient(bob)
    create_task(actor=alice, title="First", project_id=project.id)
    first = client.run("taskReport")
    with CaptureQueriesContext(connection) as captured:
        again = client.run("taskReport")
    assert again == first
    assert not [query for query in captured if "tasks_task" in query["sql"]]

    # Another user's write to a task Bob sees makes his report stale at once.
    create_task(actor=alice, title="Second", project_id=project.id)
    fresh = client.run("taskReport")
    assert fresh["total"] == first["total"] + 1 == 2
    assert fresh["computedAt"] > first["computedAt"]
