"""The assumptions schema/adapters.py makes about Strawberry and strawberry-django, pinned.

Plain model attributes are Strawberry basic fields: read without an `Info`, permissions or
extensions, and still loaded when the optimizer did not load them; the optimizer extension is
not a field middleware.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.tasks.models import Task
from backend.tasks.selectors import COMMENT_COUNT
from backend.tasks.services import add_comment
from schema import schema
from schema.adapters import ModelAttributeField, QuerySetOptimizer
from tests.conftest import GraphQLClient


def fields_of(type_name: str) -> dict:
    definition = schema.get_type_by_name(type_name)
    return {field.python_name: field for field in definition.fields}


def test_columns_annotations_and_forward_relations_are_basic_fields():
    task = fields_of("Task")
    for name in ("id", "title", "status", "due_date", "project", "assignee", "comment_count"):
        assert task[name].is_basic_field, name


def test_lists_and_computed_fields_keep_their_resolver():
    task = fields_of("Task")
    for name in ("comments", "activity", "is_overdue"):
        assert not task[name].is_basic_field, name
    assert not fields_of("Project")["members"].is_basic_field


def test_relations_a_mutation_did_not_load_are_loaded(as_alice, bob, task):
    assigned = as_alice.run("assignTask", taskId=str(task.id), assigneeId=str(bob.id))
    assert assigned["assignee"]["username"] == "bob"


def test_a_page_reads_the_values_it_selected(as_alice, alice, bob, task):
    GraphQLClient(alice).run("assignTask", taskId=str(task.id), assigneeId=str(bob.id))
    page = as_alice.data(
        "{ tasks { results { id title status priority project { name } assignee { username } } } }"
    )["tasks"]["results"]
    assert page == [
        {
            "id": str(task.id),
            "title": "Write the announcement",
            "status": "PENDING",
            "priority": "MEDIUM",
            "project": {"name": "Launch"},
            "assignee": {"username": "bob"},
        }
    ]


def test_strawberry_reads_a_basic_field_without_an_info(as_alice, task, monkeypatch):
    infos = []
    read = ModelAttributeField.get_result

    def recorded(self, source, info, args, kwargs):
        infos.append(info)
        return read(self, source, info, args, kwargs)

    monkeypatch.setattr(ModelAttributeField, "get_result", recorded)
    as_alice.data("{ tasks { results { title } } }")
    assert infos == [None]


def test_a_loaded_column_is_read_from_the_instance(task):
    title = fields_of("Task")["title"]
    assert title.get_result(Task.objects.get(id=task.id), None, [], {}) == task.title


def test_a_deferred_column_is_loaded_on_demand(task):
    title = fields_of("Task")["title"]
    deferred = Task.objects.only("id").get(id=task.id)
    assert "title" in deferred.get_deferred_fields()
    assert title.get_result(deferred, None, [], {}) == task.title


def test_the_optimizer_extension_is_not_a_field_middleware():
    # Strawberry's own test of whether an extension wraps every resolver.
    assert not QuerySetOptimizer._implements_resolve()


def test_an_annotation_is_read_from_the_instance_and_computed_without_one(task):
    comment_count = fields_of("Task")["comment_count"]
    annotated = Task.objects.annotate(comment_count=COMMENT_COUNT).get(id=task.id)
    assert comment_count.get_result(annotated, None, [], {}) == 0
    add_comment(actor=task.created_by, task_id=task.id, content="First")
    assert comment_count.get_result(Task.objects.get(id=task.id), None, [], {}) == 1


def test_a_connection_counts_in_its_page_query_and_is_never_null(as_alice, alice, task):
    """`CountedConnection` keeps strawberry-django's count: read from the page's own query
    (one query besides the user's), or one COUNT for an empty page; declared non-null."""
    introspection = '{ __type(name: "TaskConnection") { fields { name type { kind } } } }'
    fields = as_alice.data(introspection)["__type"]["fields"]
    assert {field["name"]: field["type"]["kind"] for field in fields}["totalCount"] == "NON_NULL"
    query = (
        "query ($status: [TaskStatus!]) { taskConnection(filters: {status: $status}) "
        "{ totalCount edges { node { id } } } }"
    )
    with CaptureQueriesContext(connection) as queries:
        page = as_alice.data(query)["taskConnection"]
    assert (page["totalCount"], len(page["edges"]), len(queries)) == (1, 1, 2)
    empty = as_alice.data(query, {"status": ["COMPLETED"]})["taskConnection"]
    assert (empty["totalCount"], empty["edges"]) == (0, [])
