"""Text and dates PostgreSQL cannot store, over-long fields and unexpected errors over REST: the
same answers as GraphQL's (tests/graphql/test_bad_input.py), in the REST error shape.

Issue 14: schemathesis found an HTTP 500 on `GET /api/tasks/?due_after=0110-10-18T05:16:34+21:45`.
"""

import json
import logging

import pytest
from django.db import DatabaseError

from backend.tasks import services
from backend.tasks.models import Task
from tests.rest.conftest import assert_error

INTERNALS = ("PostgreSQL", "psycopg", "codec", "DETAIL", "SELECT", "Traceback")


def assert_clean(response):
    text = response.content.decode()
    for word in INTERNALS:
        assert word not in text, text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "a\x00b", "Null characters are not allowed."),
        ("description", "\ud800", "Surrogate characters are not allowed: U+D800."),
    ],
)
def test_text_postgresql_cannot_store_is_a_field_error(api_alice, field, value, message):
    body = json.dumps({"title": "ok", field: value})  # escapes the surrogate as "\ud800"
    response = assert_error(api_alice.post("/api/tasks/", body), 400, field)
    assert response["field_errors"][field] == [message]
    assert not Task.objects.exists()


def test_a_search_with_a_nul_character_is_a_field_error(api_alice):
    assert_error(api_alice.get("/api/tasks/", {"search": "a\x00"}), 400, "search")


def test_a_filter_date_with_an_offset_postgresql_refuses_still_filters(api_alice, task):
    response = api_alice.get("/api/tasks/", {"due_after": "0110-10-18T05:16:34+21:45"})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


def test_a_filter_date_out_of_range_in_utc_is_a_field_error(api_alice):
    response = api_alice.get("/api/tasks/", {"due_before": "0001-01-01T00:00:00+23:59"})
    body = assert_error(response, 400, "due_before")
    assert "out of range" in body["field_errors"]["due_before"][0]


def test_a_due_date_out_of_range_in_utc_is_a_field_error(api_alice):
    response = api_alice.post(
        "/api/tasks/", {"title": "Old", "due_date": "0001-01-01T00:00:00+23:59"}
    )
    assert_error(response, 400, "due_date")
    assert_clean(response)


def test_a_description_and_a_comment_over_the_limit_are_field_errors(api_alice, task):
    response = api_alice.post("/api/tasks/", {"title": "Long", "description": "x" * 10_001})
    assert_error(response, 400, "description")
    response = api_alice.post(f"/api/tasks/{task.id}/comments/", {"content": "x" * 10_001})
    assert_error(response, 400, "content")


def test_the_limits_are_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    task = schema["components"]["schemas"]["TaskWriteRequest"]["properties"]
    assert (task["title"]["maxLength"], task["description"]["maxLength"]) == (255, 10_000)
    comment = schema["components"]["schemas"]["CommentWriteRequest"]["properties"]
    assert comment["content"]["maxLength"] == 10_000


def test_an_unexpected_error_is_a_500_in_the_error_shape_with_a_request_id(
    api_alice, task, monkeypatch, caplog
):
    def broken(**_):
        raise DatabaseError('duplicate key value violates "x" DETAIL: Key (user_id)=(5) SELECT')

    monkeypatch.setattr(services, "add_comment", broken)
    with caplog.at_level(logging.ERROR, logger="stride.errors"):
        response = api_alice.post(f"/api/tasks/{task.id}/comments/", {"content": "hi"})
    body = assert_error(response, 500)
    assert_clean(response)
    request_id = response["X-Request-ID"]
    assert request_id in body["error"]
    (record,) = [r for r in caplog.records if r.name == "stride.errors"]
    assert request_id in record.getMessage()
    assert f"/api/tasks/{task.id}/comments/" in record.getMessage()
