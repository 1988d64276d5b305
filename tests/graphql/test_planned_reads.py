"""A root list's page read again, by the same viewer or another, runs the SQL remembered from the
first read (schema/fast_fields.py, `UnfetchedPage`): same answers as a fresh build, for every
viewer, after every write, and never for a list that changes with the clock."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.projects.services import add_project_member, create_project, remove_project_member
from backend.tasks import selectors
from backend.tasks.models import Task, TaskStatus
from backend.tasks.services import create_task
from schema import fast_fields
from tests.conftest import GraphQLClient

PAGE = """
query ($status: [TaskStatus!], $limit: Int) {
  tasks(filters: {status: $status}, pagination: {limit: $limit}) {
    results { id title status assignee { username } project { name } }
  }
}
"""


@pytest.fixture
def compiled():
    """The models whose queries Django compiled while the test ran (a spy: it compiles)."""
    models = []
    original = SQLCompiler.as_sql

    def as_sql(compiler, *args, **kwargs):
        models.append(compiler.query.model)
        return original(compiler, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", as_sql):
        yield models


def titles(client, query=PAGE, variables=None):
    return [row["title"] for row in client.data(query, variables)["tasks"]["results"]]


@pytest.fixture(autouse=True)
def nothing_remembered():
    """Each test starts from a process that has read no page (and a rule changed for one test
    must not meet SQL remembered from the real one)."""
    fast_fields._planned_reads.clear()
    yield
    fast_fields._planned_reads.clear()


def test_a_page_runs_remembered_sql_from_its_third_read_on(as_alice, task, compiled):
    first = as_alice.data(PAGE)
    # Read once: built once, as a page nobody reads again (a search as it is typed) should be.
    assert compiled.count(Task) == 1
    compiled.clear()

    assert as_alice.data(PAGE) == first
    # Read twice: built again for an id nobody has, to learn which parameter is the viewer's.
    assert compiled.count(Task) == 2
    compiled.clear()

    with CaptureQueriesContext(connection) as captured:
        again = as_alice.data(PAGE)
    assert again == first
    assert Task not in compiled
    (page_query,) = [q["sql"] for q in captured if '"tasks_task"' in q["sql"]]
    assert "LIMIT" in page_query


def test_another_viewer_runs_the_same_sql_with_their_own_id(alice, bob, mallory, compiled):
    create_task(actor=alice, title="alice alone")
    create_task(actor=bob, title="bob alone")
    for _ in range(2):
        assert titles(GraphQLClient(alice)) == ["alice alone"]
    compiled.clear()

    assert titles(GraphQLClient(bob)) == ["bob alone"]
    assert titles(GraphQLClient(mallory)) == []
    assert Task not in compiled


def test_sql_that_holds_more_of_the_viewer_than_their_id_is_not_shared(
    alice, bob, compiled, monkeypatch
):
    create_task(actor=alice, title=f"for {alice.pk + 1}")
    create_task(actor=bob, title=f"for {bob.pk + 1}")
    task_list = selectors.task_list

    def naming_the_next_id(*, user, **criteria):
        # A rule whose parameter is computed from the id: swapping the id would be wrong.
        return task_list(user=user, **criteria).filter(title=f"for {user.pk + 1}")

    monkeypatch.setattr(selectors, "task_list", naming_the_next_id)
    for _ in range(2):
        assert titles(GraphQLClient(alice)) == [f"for {alice.pk + 1}"]
    compiled.clear()

    assert titles(GraphQLClient(bob)) == [f"for {bob.pk + 1}"]
    # Built for Bob alone: no second attempt at sharing it.
    assert compiled.count(Task) == 1


def test_each_viewer_reads_only_their_own_tasks(alice, bob, mallory, project):
    create_task(actor=alice, project_id=project.id, title="shared")
    create_task(actor=alice, title="alice alone")
    create_task(actor=mallory, title="mallory alone")
    clients = {user.username: GraphQLClient(user) for user in (alice, bob, mallory)}

    for _ in range(2):
        assert sorted(titles(clients["alice"])) == ["alice alone", "shared"]
        assert titles(clients["bob"]) == ["shared"]
        assert titles(clients["mallory"]) == ["mallory alone"]


def test_variables_are_part_of_what_is_remembered(as_alice, alice, project):
    create_task(actor=alice, project_id=project.id, title="open")
    create_task(actor=alice, project_id=project.id, title="done", status=TaskStatus.COMPLETED)

    for _ in range(3):
        assert titles(as_alice, variables={"status": ["PENDING"]}) == ["open"]
        assert titles(as_alice, variables={"status": ["COMPLETED"]}) == ["done"]
        assert titles(as_alice, variables={"limit": 1}) == ["done"]
        assert sorted(titles(as_alice)) == ["done", "open"]


def test_membership_changes_show_at_the_next_read(alice, bob, mallory):
    launch = create_project(actor=alice, name="Launch")
    create_task(actor=alice, project_id=launch.id, title="launch task")
    as_mallory = GraphQLClient(mallory)
    for _ in range(3):
        assert titles(as_mallory) == []

    add_project_member(actor=alice, project_id=launch.id, user_id=mallory.id)
    assert titles(as_mallory) == ["launch task"]

    remove_project_member(actor=alice, project_id=launch.id, user_id=mallory.id)
    assert titles(as_mallory) == []


def test_a_viewer_made_staff_sees_every_task_at_the_next_read(alice, mallory):
    create_task(actor=alice, title="alice alone")
    as_mallory = GraphQLClient(mallory)
    for _ in range(3):
        assert titles(as_mallory) == []

    mallory.is_staff = True
    mallory.save()
    assert titles(as_mallory) == ["alice alone"]


OVERDUE = """
query { tasks(filters: {overdue: true}) { results { title } } }
"""


def test_a_list_that_changes_with_the_clock_is_built_at_every_read(as_alice, alice):
    task = create_task(actor=alice, title="due soon", due_date=timezone.now() + timedelta(days=1))
    for _ in range(3):
        assert titles(as_alice, OVERDUE) == []
    # No write the list could notice: the task's due date is simply passing.
    Task.objects.filter(id=task.id).update(due_date=timezone.now())

    assert titles(as_alice, OVERDUE) == ["due soon"]


def test_a_filter_that_matches_nothing_reads_nothing(as_alice, task):
    unknown = """query { tasks(filters: {assignee: "not-an-id"}) { results { id } } }"""
    for _ in range(3):
        assert as_alice.data(unknown)["tasks"]["results"] == []


def test_a_remembered_page_whose_rows_break_a_rule_is_reported_as_before(as_alice, task):
    for _ in range(3):
        assert titles(as_alice) == [task.title]
    Task.objects.filter(id=task.id).update(status="archived")

    result = as_alice.execute(PAGE)

    (error,) = result["errors"]
    assert error["path"] == ["tasks", "results", 0, "status"]


def test_the_count_beside_a_remembered_page_is_still_counted(as_alice, alice, project):
    counted = "query { tasks { totalCount results { title } } }"
    create_task(actor=alice, project_id=project.id, title="one")
    for _ in range(3):
        assert as_alice.data(counted)["tasks"]["totalCount"] == 1

    create_task(actor=alice, project_id=project.id, title="two")
    page = as_alice.data(counted)["tasks"]

    assert page["totalCount"] == 2
    assert sorted(row["title"] for row in page["results"]) == ["one", "two"]


def test_project_pages_are_shared_between_viewers(alice, bob, mallory, project):
    query = "query { projects { results { name owner { username } } } }"
    create_project(actor=mallory, name="Mallory's")
    for _ in range(2):
        assert GraphQLClient(bob).data(query)["projects"]["results"] == [
            {"name": project.name, "owner": {"username": "alice"}}
        ]
        assert [
            row["name"] for row in GraphQLClient(mallory).data(query)["projects"]["results"]
        ] == ["Mallory's"]


PAGED = """
query ($offset: Int!, $limit: Int) {
  tasks(pagination: {offset: $offset, limit: $limit}) { results { title } }
}
"""


def test_the_pages_of_a_list_share_its_sql(as_alice, alice, compiled):
    for n in range(5):
        create_task(actor=alice, title=f"task {n}")

    def page(offset, limit=1):
        return titles(as_alice, PAGED, {"offset": offset, "limit": limit})

    assert [page(offset) for offset in range(3)] == [["task 4"], ["task 3"], ["task 2"]]
    compiled.clear()

    assert page(3) == ["task 1"]
    assert page(1, limit=3) == ["task 3", "task 2", "task 1"]
    assert page(4, limit=None) == ["task 0"]
    assert page(0, limit=0) == []
    assert Task not in compiled


def test_an_empty_page_is_not_remembered_for_the_others(as_alice, alice):
    create_task(actor=alice, title="only")
    assert titles(as_alice, PAGED, {"offset": 0, "limit": 5}) == ["only"]
    # The second read, which would be remembered for every page: a limit of 0 has no SQL.
    assert titles(as_alice, PAGED, {"offset": 0, "limit": 0}) == []
    for _ in range(2):
        assert titles(as_alice, PAGED, {"offset": 0, "limit": 5}) == ["only"]
