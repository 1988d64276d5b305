"""The task report against an independent count in SQL: visibility, filters, shards, snapshot.

Sharded reports read on other connections, which see committed rows only: those tests are
transactional, with shards forced on a small table (REPORT_SHARD_MIN_ROWS=1, after ANALYZE).
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from backend.projects.services import add_project_member, create_project
from backend.tasks.models import TaskPriority, TaskStatus
from backend.tasks.reports import compute_report, task_report
from backend.tasks.services import create_task, update_task
from tests.report_data import NOW, PAST, counted_in_sql, make_board, numbers


@pytest.fixture
def board(alice, bob, mallory, project):
    return make_board(alice, bob, mallory, project)


def test_a_members_report_counts_what_sql_counts_and_nothing_of_others(alice, bob, board):
    for user in (alice, bob):
        report = compute_report(user=user, top_projects=10)
        assert numbers(report) == counted_in_sql(user)
    report = compute_report(user=bob, top_projects=10)
    assert report.total == 5  # the shared project's four and his own personal task
    assert board["hers"].id not in numbers(report)["by_project"]


def test_staff_report_counts_every_task(staff, board):
    assert numbers(compute_report(user=staff, top_projects=10)) == counted_in_sql()


@pytest.mark.parametrize(
    ("criteria", "where", "params"),
    [
        ({"status": [TaskStatus.PENDING]}, "t.status = 'pending'", {}),
        (
            {"priority": [TaskPriority.HIGH, TaskPriority.URGENT]},
            "t.priority IN ('high', 'urgent')",
            {},
        ),
        ({"due_before": NOW}, "t.due_date <= %(now)s", {"now": NOW}),
        ({"search": "REPORT"}, "t.title ILIKE '%%report%%'", {}),
        ({"overdue": True}, "t.due_date < now() AND t.status <> 'completed'", {}),
    ],
)
def test_filtered_report_counts_what_sql_counts(alice, board, criteria, where, params):
    report = compute_report(user=alice, top_projects=10, **criteria)
    assert numbers(report) == counted_in_sql(alice, where, **params)


def test_report_of_one_project_and_one_assignee(alice, bob, board):
    shared = board["shared"].id
    report = compute_report(user=alice, top_projects=10, project_id=shared, assignee_id=bob.id)
    expected = counted_in_sql(
        alice, "t.project_id = %(p)s AND t.assignee_id = %(a)s", p=shared, a=bob.id
    )
    assert numbers(report) == expected
    assert report.total == 2


def test_by_project_lists_the_largest_first_with_names_and_stops_at_the_top(alice, board):
    report = compute_report(user=alice, top_projects=1)
    (top,) = report.by_project
    assert (top.project_id, top.name, top.count) == (board["shared"].id, "Launch", 4)
    assert (top.completed, top.overdue) == (1, 1)


def test_a_report_in_a_transaction_is_one_query_that_sees_its_uncommitted_rows(alice, board):
    with override_settings(REPORT_SHARD_MIN_ROWS=1):
        report = compute_report(user=alice, top_projects=10)
    assert report.shards == 1
    assert numbers(report) == counted_in_sql(alice)


def test_the_report_is_cached_until_a_write_changes_it(alice, board):
    # In a transaction nothing is cached (backend/caching/store.py): a fresh report each time.
    first, cached = task_report(user=alice)
    assert cached is False
    assert first.total == counted_in_sql(alice)["total"]


@pytest.fixture
def sharded(transactional_db):
    """Shards forced on the few rows of a test, with fresh planner statistics."""

    def analyze():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tasks_task")

    with override_settings(REPORT_SHARD_MIN_ROWS=1, REPORT_SHARDS=4):
        yield analyze


def test_sharded_reports_agree_with_one_query_and_with_sql(sharded, alice, bob, staff, board):
    sharded()
    for user in (alice, bob, staff):
        report = compute_report(user=user, top_projects=10)
        assert report.shards > 1
        with transaction.atomic():  # one query, on this connection
            single = compute_report(user=user, top_projects=10)
        assert single.shards == 1
        assert numbers(report) == numbers(single) == counted_in_sql(None if user.is_staff else user)


def test_shards_without_any_task_count_nothing(sharded, alice, staff):
    # Projects of which only the first and the last have tasks: the ranges between are empty.
    projects = [create_project(actor=alice, name=f"P{n}") for n in range(8)]
    for in_project in (projects[0], projects[-1]):
        for _ in range(3):
            create_task(actor=alice, title="Edge", project_id=in_project.id)
    sharded()
    report = compute_report(user=staff, top_projects=10)
    assert report.shards == 4  # three ranges of projects, the middle one empty; no personal
    assert numbers(report) == counted_in_sql()
    assert report.personal == 0


def test_one_task_alone_is_counted_once_across_shards(sharded, alice, staff):
    create_project(actor=alice, name="Empty")
    create_task(actor=alice, title="Lonely", status=TaskStatus.COMPLETED)
    sharded()
    for user in (alice, staff):
        report = compute_report(user=user, top_projects=10)
        assert report.total == report.completed == report.personal == 1


def test_uneven_projects_are_counted_exactly(sharded, alice, bob, staff):
    big = create_project(actor=alice, name="Big")
    add_project_member(actor=alice, project_id=big.id, user_id=bob.id)
    small = [create_project(actor=bob, name=f"Small {n}") for n in range(5)]
    for n in range(40):
        create_task(actor=alice, title=f"Big {n}", project_id=big.id, due_date=PAST)
    for in_project in small:
        create_task(actor=bob, title="Small", project_id=in_project.id)
    create_task(actor=bob, title="Mine", assignee_id=bob.id)
    sharded()
    for user in (alice, bob, staff):
        report = compute_report(user=user, top_projects=10)
        assert report.shards > 1
        assert numbers(report) == counted_in_sql(None if user.is_staff else user)
    assert compute_report(user=alice, top_projects=10).overdue == 40


def test_a_sharded_report_is_one_snapshot_while_tasks_move_between_shards(sharded, alice, staff):
    """Tasks hop between the first and the last project (different shards) while reports run:
    every report counts each task exactly once."""
    first = create_project(actor=alice, name="First")
    middle = [create_project(actor=alice, name=f"M{n}") for n in range(4)]
    last = create_project(actor=alice, name="Last")
    tasks = [create_task(actor=alice, title=f"T{n}", project_id=first.id) for n in range(20)]
    for in_project in middle:
        create_task(actor=alice, title="Still", project_id=in_project.id)
    sharded()
    stop = threading.Event()

    def move():
        try:
            target = last
            while not stop.is_set():
                for task in tasks:
                    update_task(actor=alice, task_id=task.id, project_id=target.id)
                target = first if target == last else last
        finally:
            connection.close()

    mover = threading.Thread(target=move)
    mover.start()
    try:
        reports = [compute_report(user=staff, top_projects=100) for _ in range(15)]
    finally:
        stop.set()
        mover.join()
    for report in reports:
        assert report.shards == 4
        assert report.total == 24
        assert sum(project.count for project in report.by_project) == 24


def _planned_page_costs(queries) -> list[str]:
    return [query["sql"] for query in queries if "random_page_cost = 2.5" in query["sql"]]


def test_every_report_query_is_planned_with_the_configured_page_cost(
    transactional_db, alice, staff, board, settings
):
    """REPORT_RANDOM_PAGE_COST reaches the planner in every transaction that aggregates: the one
    query outside a transaction, and each shard (their SETs run on the pool's connections)."""
    settings.REPORT_RANDOM_PAGE_COST = 2.5
    with CaptureQueriesContext(connection) as queries:
        report = compute_report(user=alice, top_projects=10)
    assert report.shards == 1
    assert len(_planned_page_costs(queries)) == 1
    with connection.cursor() as cursor:  # SET LOCAL ended with the report's transaction
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("4",)
    with override_settings(REPORT_SHARD_MIN_ROWS=1, REPORT_SHARDS=4):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tasks_task")
        with CaptureQueriesContext(connection) as queries:
            report = compute_report(user=staff, top_projects=10)
    assert report.shards > 1
    assert len(_planned_page_costs(queries)) == 1  # the exporting transaction's, on this one
