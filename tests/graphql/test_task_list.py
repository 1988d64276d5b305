"""tasks(filters, order, pagination) and taskConnection: every filter, ordering and page edge."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from backend.tasks.models import Task
from backend.tasks.services import create_task, update_task
from tests.conftest import operation
from tests.graphql.support import error_codes

NOW = timezone.now()


def at(days: float) -> str:
    return (NOW + timedelta(days=days)).isoformat()


@pytest.fixture
def board(alice, bob, project):
    """Five tasks Alice sees, each different in status, priority, due date and assignee."""
    made = {}
    for title, fields in (
        (
            "Plan launch",
            {
                "priority": "urgent",
                "status": "in_progress",
                "due_date": NOW + timedelta(days=2),
                "assignee_id": bob.id,
                "description": "kick-off",
            },
        ),
        ("Write copy", {"priority": "low", "due_date": NOW + timedelta(days=10)}),
        (
            "Old chore",
            {"priority": "high", "due_date": NOW - timedelta(days=2), "assignee_id": alice.id},
        ),
        (
            "Finished report",
            {"priority": "medium", "status": "completed", "due_date": NOW - timedelta(days=5)},
        ),
    ):
        made[title] = create_task(actor=alice, title=title, project_id=project.id, **fields)
    made["Someday"] = create_task(
        actor=alice, title="Someday", description="Think about the LAUNCH party"
    )
    return made


def titles(client, **variables) -> list[str]:
    return [result["title"] for result in client.run("tasks", **variables)["results"]]


def filtered(client, **filters) -> set[str]:
    page = client.run("tasks", filters=filters)
    assert page["totalCount"] == len(page["results"])
    return {result["title"] for result in page["results"]}


# filters


def test_filter_by_one_status(as_alice, board):
    assert filtered(as_alice, status=["PENDING"]) == {"Write copy", "Old chore", "Someday"}


def test_filter_by_several_statuses(as_alice, board):
    assert filtered(as_alice, status=["IN_PROGRESS", "COMPLETED"]) == {
        "Plan launch",
        "Finished report",
    }


def test_filter_by_priorities(as_alice, board):
    assert filtered(as_alice, priority=["LOW", "URGENT"]) == {"Write copy", "Plan launch"}


def test_filter_due_after(as_alice, board):
    assert filtered(as_alice, dueAfter=at(0)) == {"Plan launch", "Write copy"}


def test_filter_due_before(as_alice, board):
    assert filtered(as_alice, dueBefore=at(0)) == {"Old chore", "Finished report"}


def test_filter_due_range_includes_both_ends(as_alice, board):
    due = board["Plan launch"].due_date.isoformat()
    assert filtered(as_alice, dueAfter=due, dueBefore=due) == {"Plan launch"}
    assert filtered(as_alice, dueAfter=at(-3), dueBefore=at(3)) == {"Plan launch", "Old chore"}


def test_filter_by_assignee(as_alice, board, bob):
    assert filtered(as_alice, assignee=str(bob.id)) == {"Plan launch"}


def test_filter_by_project(as_alice, board, project):
    assert filtered(as_alice, project=str(project.id)) == {
        "Plan launch",
        "Write copy",
        "Old chore",
        "Finished report",
    }


@pytest.mark.parametrize("name", ["assignee", "project"])
def test_filter_by_a_malformed_id_matches_nothing(as_alice, board, name):
    assert filtered(as_alice, **{name: "abc"}) == set()


def test_search_looks_in_title_and_description_ignoring_case(as_alice, board):
    assert filtered(as_alice, search="launch") == {"Plan launch", "Someday"}
    assert filtered(as_alice, search="KICK") == {"Plan launch"}


def test_filter_overdue_true_keeps_open_tasks_past_their_due_date(as_alice, board):
    assert filtered(as_alice, overdue=True) == {"Old chore"}


def test_filter_overdue_false_keeps_everything_else(as_alice, board):
    assert filtered(as_alice, overdue=False) == {
        "Plan launch",
        "Write copy",
        "Finished report",
        "Someday",
    }


def test_filters_combine(as_alice, board, project):
    assert filtered(as_alice, project=str(project.id), status=["PENDING"], priority=["HIGH"]) == {
        "Old chore"
    }


def test_is_overdue_is_reported_per_task(as_alice, board):
    page = as_alice.run("tasks")
    overdue = {result["title"] for result in page["results"] if result["isOverdue"]}
    assert overdue == {"Old chore"}


# ordering


def test_default_order_is_newest_first(as_alice, board):
    assert titles(as_alice) == list(reversed(list(board)))


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("ASC", ["LOW", "MEDIUM", "MEDIUM", "HIGH", "URGENT"]),
        ("DESC", ["URGENT", "HIGH", "MEDIUM", "MEDIUM", "LOW"]),
    ],
)
def test_order_by_priority_follows_urgency_not_the_alphabet(as_alice, board, direction, expected):
    page = as_alice.run("tasks", order=[{"field": "PRIORITY", "direction": direction}])
    assert [result["priority"] for result in page["results"]] == expected


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("ASC", ["Finished report", "Old chore", "Plan launch", "Write copy", "Someday"]),
        ("DESC", ["Write copy", "Plan launch", "Old chore", "Finished report", "Someday"]),
    ],
)
def test_order_by_due_date_puts_tasks_without_one_last(as_alice, board, direction, expected):
    assert titles(as_alice, order=[{"field": "DUE_DATE", "direction": direction}]) == expected


@pytest.mark.parametrize(("direction", "reverse"), [("ASC", False), ("DESC", True)])
def test_order_by_created_at(as_alice, board, direction, reverse):
    expected = sorted(board, key=lambda title: board[title].created_at, reverse=reverse)
    assert titles(as_alice, order=[{"field": "CREATED_AT", "direction": direction}]) == expected


def test_order_by_updated_at_puts_the_last_changed_first_when_descending(as_alice, alice, board):
    update_task(actor=alice, task_id=board["Old chore"].id, title="Old chore, done soon")
    order = [{"field": "UPDATED_AT", "direction": "DESC"}]
    assert titles(as_alice, order=order)[0] == "Old chore, done soon"


def test_order_by_title(as_alice, board):
    assert titles(as_alice, order=[{"field": "TITLE"}]) == sorted(board)


def test_order_by_status_then_priority(as_alice, board):
    order = [{"field": "STATUS", "direction": "ASC"}, {"field": "PRIORITY", "direction": "DESC"}]
    assert titles(as_alice, order=order) == [
        "Finished report",  # completed
        "Plan launch",  # in_progress
        "Old chore",  # pending, high
        "Someday",  # pending, medium
        "Write copy",  # pending, low
    ]


def test_order_with_an_unknown_field_is_a_request_error(as_alice, board):
    response = as_alice.post(
        operation("tasks"),
        {"order": [{"field": "PASSWORD"}]},
        Accept="application/graphql-response+json",
    )
    assert response.status_code == 400


# offset pagination


def test_pages_cover_every_task_exactly_once(as_alice, board):
    order = [{"field": "TITLE"}]
    seen = []
    for offset in (0, 2, 4):
        page = as_alice.run("tasks", order=order, pagination={"offset": offset, "limit": 2})
        assert page["totalCount"] == 5
        seen += [result["title"] for result in page["results"]]
    assert seen == sorted(board)


def test_offset_beyond_the_end_returns_no_results_and_the_total(as_alice, board):
    page = as_alice.run("tasks", pagination={"offset": 50, "limit": 10})
    assert (page["totalCount"], page["results"]) == (5, [])


def test_limit_zero_returns_no_results_and_the_total(as_alice, board):
    page = as_alice.run("tasks", pagination={"limit": 0})
    assert (page["totalCount"], page["results"]) == (5, [])


@pytest.mark.parametrize(
    ("pagination", "expected"),
    [
        ("{offset: 3}", ["Write copy", "Plan launch"]),
        ("{offset: 1, limit: null}", ["Finished report", "Old chore", "Write copy", "Plan launch"]),
        ("{limit: 2}", ["Someday", "Finished report"]),
        ("{}", ["Someday", "Finished report", "Old chore", "Write copy", "Plan launch"]),
    ],
)
def test_pagination_written_in_the_document(as_alice, board, pagination, expected):
    """Literal arguments (no variables), newest first: an absent offset is 0, an absent or null
    limit the largest page."""
    query = f"{{ tasks(pagination: {pagination}) {{ totalCount results {{ title }} }} }}"
    page = as_alice.data(query)["tasks"]
    assert page["totalCount"] == 5
    assert [task["title"] for task in page["results"]] == expected


@pytest.mark.parametrize("name", ["offset", "limit"])
def test_negative_offset_or_limit_is_a_clear_error(as_alice, board, name):
    answer = as_alice.execute(operation("tasks"), {"pagination": {name: -1}})
    assert answer["data"] is None
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert answer["errors"][0]["message"] == f"pagination.{name} must be zero or more, got -1."


@pytest.fixture
def many_tasks(alice):
    """More personal tasks than the largest page (written in bulk: only their number matters)."""
    count = settings.GRAPHQL_MAX_PAGE_SIZE + 5
    Task.objects.bulk_create(Task(title=f"Task {n:03}", created_by=alice) for n in range(count))
    return count


def test_limit_above_the_maximum_is_refused(as_alice, many_tasks):
    answer = as_alice.execute(operation("tasks"), {"pagination": {"limit": 1000}})
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert "cannot be higher than 100" in answer["errors"][0]["message"]
    page = as_alice.run("tasks", pagination={"limit": settings.GRAPHQL_MAX_PAGE_SIZE})
    assert page["totalCount"] == many_tasks
    assert len(page["results"]) == settings.GRAPHQL_MAX_PAGE_SIZE == 100


def test_without_pagination_the_default_page_size_applies(as_alice, many_tasks):
    assert len(as_alice.run("tasks")["results"]) == settings.GRAPHQL_DEFAULT_PAGE_SIZE


# taskConnection


def test_connection_pages_through_every_task_without_duplicates_or_gaps(as_alice, many_tasks):
    order = [{"field": "TITLE"}]
    seen, after, pages = [], None, 0
    while True:
        connection = as_alice.run("taskConnection", order=order, first=30, after=after)
        seen += [edge["node"]["title"] for edge in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]
    assert pages == 4
    assert seen == [f"Task {n:03}" for n in range(many_tasks)]


def test_connection_last_page_has_no_next_page(as_alice, board):
    connection = as_alice.run("taskConnection", first=5)
    assert len(connection["edges"]) == 5
    assert connection["pageInfo"]["hasNextPage"] is False


def test_connection_applies_filters_and_order(as_alice, board):
    connection = as_alice.run(
        "taskConnection",
        filters={"status": ["PENDING"]},
        order=[{"field": "PRIORITY", "direction": "DESC"}],
    )
    assert [edge["node"]["title"] for edge in connection["edges"]] == [
        "Old chore",
        "Someday",
        "Write copy",
    ]


def test_connection_first_above_the_maximum_is_a_clear_error(as_alice, board):
    answer = as_alice.execute(operation("taskConnection"), {"first": 1000})
    assert answer["data"] is None
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert "cannot be higher than 100" in answer["errors"][0]["message"]


def test_connection_negative_first_is_a_clear_error(as_alice, board):
    answer = as_alice.execute(operation("taskConnection"), {"first": -1})
    assert answer["data"] is None
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert "non-negative" in answer["errors"][0]["message"]
