"""Plain model fields resolved and completed directly (schema/fast_fields.py): same answers."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from strawberry_django.optimizer import DjangoOptimizerExtension

from backend.tasks.models import Task, TaskPriority
from backend.tasks.services import add_comment, create_task, update_task
from schema import fast_fields, schema
from schema.fast_fields import _coercer, resolve_plain_fields_directly
from tests.conftest import operation

MIXED_SELECTION = """
query ($skip: Boolean!) {
  tasks {
    results {
      __typename
      key: id
      ... on Task { title status }
      assignee { __typename username }
      createdBy { username @skip(if: $skip) firstName }
      project { name members { username } }
      isOverdue
      commentCount
    }
  }
}
"""


def test_columns_and_joined_relations_are_resolved_directly():
    direct = set(resolve_plain_fields_directly(schema))
    assert {"Task.title", "Task.status", "Task.assignee", "Task.project", "User.username"} <= direct
    # Fields with a resolver, a permission or a list of related rows keep the full machinery.
    assert not direct & {"Task.isOverdue", "Task.commentCount", "Task.comments", "Project.members"}


def test_a_mixed_selection_answers_as_graphql_requires(as_alice, alice, bob, task):
    update_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    add_comment(actor=bob, task_id=task.id, content="On it")
    (result,) = as_alice.data(MIXED_SELECTION, {"skip": True})["tasks"]["results"]
    assert result == {
        "__typename": "Task",
        "key": str(task.id),
        "title": "Write the announcement",
        "status": "PENDING",
        "assignee": {"__typename": "User", "username": "bob"},
        "createdBy": {"firstName": ""},
        "project": {"name": "Launch", "members": [{"username": "alice"}, {"username": "bob"}]},
        "isOverdue": False,
        "commentCount": 1,
    }


def test_values_the_optimizer_did_not_load_are_loaded_as_before(as_alice, alice, bob, task):
    update_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    optimized = as_alice.run("tasks")
    with DjangoOptimizerExtension.disabled(), CaptureQueriesContext(connection) as captured:
        unoptimized = as_alice.run("tasks")
    assert unoptimized == optimized
    # Project, creator, assignee and comments each loaded on their own: the fallback path ran.
    assert len(captured) > 4


def test_a_missing_assignee_is_null(as_alice, task):
    assert as_alice.run("task", id=str(task.id))["assignee"] is None
    assert operation("task")


# Every kind of plain field: columns of each scalar and enum, an alias, a fragment, __typename,
# a nullable relation (null and not), a relation through a relation, a personal task's null
# project.
PLAIN_PAGE = """
query {
  tasks(order: [{field: TITLE}]) {
    totalCount
    results {
      __typename
      key: id
      ...TaskColumns
      assignee { id username }
      project { name owner { username firstName } }
    }
  }
}
fragment TaskColumns on Task { title status priority dueDate createdAt version }
"""


@pytest.fixture
def varied_tasks(alice, bob, project):
    due = datetime(2031, 5, 17, 9, 30, tzinfo=UTC)
    return [
        create_task(actor=alice, title="a: assigned", project_id=project.id, assignee_id=bob.id),
        create_task(actor=alice, title="b: due", project_id=project.id, due_date=due),
        create_task(actor=alice, title="c: personal", priority=TaskPriority.URGENT),
    ]


@pytest.fixture
def instances_built():
    """How many tasks were built as model instances while the test ran."""
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=Task)
    yield built
    post_init.disconnect(count, sender=Task)


def test_a_plain_page_is_read_as_rows_and_answers_as_instances_would(
    as_alice, varied_tasks, instances_built
):
    with CaptureQueriesContext(connection) as captured:
        page = as_alice.data(PLAIN_PAGE)["tasks"]
    assert instances_built == []
    # The signed-in user and the page; the count is answered from the same cache as the lists.
    page_queries = [q["sql"] for q in captured if '"tasks_task"' in q["sql"]]
    assert len(page_queries) == 2  # the count and the page

    # The same selection plus a field that needs the instance: fetched the usual way.
    with_instances = as_alice.data(PLAIN_PAGE.replace("version", "version isOverdue"))["tasks"]
    assert len(instances_built) == 3
    for row in with_instances["results"]:
        del row["isOverdue"]
    assert page == with_instances
    assert page["totalCount"] == 3
    assigned, due, personal = page["results"]
    assert assigned["assignee"]["username"] == "bob"
    assert assigned["project"] == {
        "name": "Launch",
        "owner": {"username": "alice", "firstName": ""},
    }
    assert due["dueDate"] == "2031-05-17T09:30:00+00:00"
    assert due["assignee"] is None
    assert personal["project"] is None
    assert personal["priority"] == "URGENT"
    assert personal["__typename"] == "Task"
    assert personal["key"] == str(varied_tasks[2].id)


def test_a_value_the_schema_refuses_is_reported_as_before(as_alice, task):
    # Not a status Stride writes: a row the page cannot complete sends it the usual way.
    Task.objects.filter(id=task.id).update(status="archived")
    result = as_alice.execute("query { tasks { results { id status } } }")
    (error,) = result["errors"]
    assert error["path"] == ["tasks", "results", 0, "status"]
    assert "archived" in error["message"]


SKIPPABLE = """
query ($withProject: Boolean!) {
  tasks { results { id title project @include(if: $withProject) { name } } }
}
"""


def test_requests_of_one_document_share_its_plan_but_not_their_variables(as_alice, task):
    with_project = as_alice.data(SKIPPABLE, {"withProject": True})["tasks"]["results"]
    without = as_alice.data(SKIPPABLE, {"withProject": False})["tasks"]["results"]
    again = as_alice.data(SKIPPABLE, {"withProject": True})["tasks"]["results"]

    assert (
        with_project
        == again
        == [{"id": str(task.id), "title": task.title, "project": {"name": "Launch"}}]
    )
    assert without == [{"id": str(task.id), "title": task.title}]


PAGED = """
query ($offset: Int!) { tasks(pagination: {offset: $offset, limit: 1}) { results { title } } }
"""


def test_pages_of_one_document_share_its_plan(as_alice, alice, monkeypatch):
    for title in ("first", "second", "third"):
        create_task(actor=alice, title=title)
    fast_fields._shared_plans.clear()
    planned = []
    plan = fast_fields.PlainObjectCompletion._plan

    def counted(self, *args):
        planned.append(args)
        return plan(self, *args)

    monkeypatch.setattr(fast_fields.PlainObjectCompletion, "_plan", counted)
    pages = [as_alice.data(PAGED, {"offset": 0})["tasks"]["results"]]
    planned_for_the_first_page = len(planned)
    pages += [as_alice.data(PAGED, {"offset": n})["tasks"]["results"] for n in (1, 2)]

    assert pages == [[{"title": "third"}], [{"title": "second"}], [{"title": "first"}]]
    # The offset is an argument of the list, not of the selections the plans are for.
    assert planned_for_the_first_page > 0
    assert len(planned) == planned_for_the_first_page


@pytest.mark.parametrize(
    ("type_name", "values"),
    [
        ("String", ["plain", "", 7]),
        ("Boolean", [True, False, 1]),
        ("ID", [42, "42"]),
        ("TaskStatus", ["pending", "in_progress", "completed"]),
        (
            "DateTime",
            [datetime(2031, 5, 17, 9, 30, tzinfo=UTC), datetime(2031, 5, 17, 9, 30, 1, 5)],
        ),
    ],
)
def test_a_leaf_shortcut_sends_what_graphql_core_sends(type_name, values):
    """The row reader inlines each leaf's common case; it must agree with the scalar."""
    leaf_type = schema._schema.type_map[type_name]
    coerce = _coercer(leaf_type)
    fast = coerce.fast
    names = {name: f"{name}_v" for name in fast.values}
    condition = fast.condition.format(v="v", **names)
    expression = fast.expression.format(v="v", **names)
    for value in values:
        coerce(value)  # an enum remembers the names it has sent
        scope = {"v": value, **{names[name]: known for name, known in fast.values.items()}}
        expected = leaf_type.coerce_output_value(value)
        if eval(condition, scope):
            assert eval(expression, scope) == expected
        assert coerce(value) == expected
