"""Text and dates PostgreSQL cannot store, over-long fields, and errors nobody expected, over
GraphQL: a clean error that says what is wrong, never the database's or the driver's words.

Issue 14's probes: NUL bytes and lone surrogates answered "PostgreSQL text fields cannot contain
NUL (0x00) bytes" and "'utf-8' codec can't encode"; `dueDate: "0001-01-01T00:00:00+23:59"`
answered PostgreSQL's message with part of the SQL; a 2 MB description was stored.
"""

import json
import logging

import pytest
from django.db import DatabaseError

from backend.tasks import services
from backend.tasks.models import Comment, Task
from tests.conftest import GRAPHQL_URL, operation
from tests.graphql.support import error_codes, problem_on

INTERNALS = ("PostgreSQL", "psycopg", "codec", "NUL (0x00)", "SELECT", "INSERT", "Traceback")


def assert_clean(response):
    text = response.content.decode()
    for word in INTERNALS:
        assert word not in text, text


def test_a_nul_character_in_a_variable_is_bad_input(as_alice):
    response = as_alice.post(operation("createTask"), {"input": {"title": "a\x00b"}})
    assert_clean(response)
    answer = response.json()
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert answer["errors"][0]["message"] == "Null characters are not allowed. (in $input.title)"
    assert not Task.objects.exists()


def test_a_nul_character_in_a_literal_is_bad_input(as_alice):
    response = as_alice.post('mutation { createTask(input: {title: "a\\u0000b"}) { __typename } }')
    assert_clean(response)
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (operation("tasks"), {"filters": {"search": "\x00"}}),
        (operation("tokenAuth"), {"username": "alice\x00", "password": "x"}),
        (operation("addComment"), {"taskId": "1", "content": "hi\x00"}),
    ],
)
def test_nul_characters_anywhere_are_bad_input(as_alice, document, variables):
    response = as_alice.post(document, variables)
    assert_clean(response)
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]


def test_a_lone_surrogate_is_refused_with_a_400(as_alice):
    # json.dumps writes a lone surrogate as the escape "\ud800", as a hostile client would.
    body = json.dumps(
        {"query": operation("createTask"), "variables": {"input": {"title": "\ud800"}}}
    )
    response = as_alice.http.post(
        GRAPHQL_URL, body, content_type="application/json", headers=as_alice.headers
    )
    assert response.status_code == 400
    assert (
        response.json()["errors"][0]["message"] == "Surrogate characters are not allowed: U+D800."
    )
    assert not Task.objects.exists()


def test_a_lone_surrogate_in_the_document_is_refused_with_a_400(as_alice):
    body = json.dumps({"query": '{ tasks(filters: {search: "\udfff"}) { totalCount } }'})
    response = as_alice.http.post(
        GRAPHQL_URL, body, content_type="application/json", headers=as_alice.headers
    )
    assert response.status_code == 400
    assert_clean(response)


def test_a_due_date_postgresql_would_refuse_is_a_clean_error(as_alice):
    response = as_alice.post(
        operation("createTask"), {"input": {"title": "Old", "dueDate": "0001-01-01T00:00:00+23:59"}}
    )
    assert_clean(response)
    (error,) = response.json()["errors"]
    assert "out of range" in error["message"]
    assert not Task.objects.exists()


def test_a_due_date_with_a_large_offset_is_stored_in_utc(as_alice):
    created = as_alice.run(
        "createTask", input={"title": "Far east", "dueDate": "2030-01-02T05:00:00+23:59"}
    )
    assert created["dueDate"] == "2030-01-01T05:01:00+00:00"


def test_a_filter_date_with_an_offset_postgresql_refuses_still_filters(as_alice, task):
    response = as_alice.post(
        operation("tasks"), {"filters": {"dueAfter": "0110-10-18T05:16:34+21:45"}}
    )
    assert_clean(response)
    assert response.json()["data"]["tasks"]["totalCount"] == 0


def test_a_description_over_the_limit_is_a_field_error(as_alice):
    payload = as_alice.run("createTask", input={"title": "Long", "description": "x" * 10_001})
    assert problem_on(payload, "description")["code"] == "max_length"
    created = as_alice.run("createTask", input={"title": "Long", "description": "x" * 10_000})
    assert len(created["description"]) == 10_000


def test_a_comment_over_the_limit_is_a_field_error(as_alice, task):
    payload = as_alice.run("addComment", taskId=str(task.id), content="x" * 10_001)
    assert problem_on(payload, "content")["code"] == "max_length"
    assert not Comment.objects.exists()


def test_an_unexpected_error_is_masked_with_a_request_id_and_logged(
    as_alice, task, monkeypatch, caplog
):
    def broken(**_):
        raise DatabaseError('duplicate key value violates "x" DETAIL: Key (user_id)=(5) SELECT')

    monkeypatch.setattr(services, "add_comment", broken)
    document = (
        f'mutation {{ addComment(taskId: "{task.id}", content: "hunter2-literal") '
        "{ __typename } }"
    )
    with caplog.at_level(logging.ERROR, logger="stride.errors"):
        response = as_alice.post(document)
    assert_clean(response)
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error["extensions"]["requestId"]
    assert request_id in error["message"]
    assert "DETAIL" not in error["message"]
    # One request id: the one the answer carries in X-Request-ID, on every log line.
    assert response["X-Request-ID"] == request_id

    (record,) = [r for r in caplog.records if r.name == "stride.errors"]
    logged = record.getMessage()
    assert request_id in logged and "addComment" in logged
    assert "hunter2-literal" not in logged and "[redacted]" in logged
    assert record.exc_info is not None


def test_expected_errors_are_not_logged_with_their_document(anonymous, caplog):
    with caplog.at_level(logging.INFO):
        anonymous.post('query { me { id } tasks(filters: {search: "s3cret"}) { totalCount } }')
    assert "s3cret" not in caplog.text
