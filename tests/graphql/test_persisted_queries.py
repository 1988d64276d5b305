"""Apollo's automatic persisted queries and batched requests, over POST and GET."""

import json
from uuid import uuid4

import pytest

from backend.platform.errors import ErrorCode
from schema import persisted_queries
from schema.persisted_queries import document_hash, registered_documents
from tests.conftest import operation
from tests.graphql.support import error_codes

pytestmark = pytest.mark.django_db

ME = "query me { me { username } }"


def persisted(sha256: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


def post(client, body, **headers):
    return client.http.post(
        "/graphql/",
        json.dumps(body),
        content_type="application/json",
        headers={**client.headers, **headers},
    )


def get(client, **params):
    encoded = {
        name: json.dumps(value) if isinstance(value, dict) else value
        for name, value in params.items()
    }
    return client.http.get("/graphql/", encoded, headers=client.headers)


@pytest.fixture(autouse=True)
def fresh_registrations(settings):
    settings.GRAPHQL_PERSISTED_QUERY_SECONDS = 60
    yield
    registered_documents.cache_clear()


def test_an_unknown_hash_asks_for_the_document_then_runs_by_hash(as_alice):
    document = f"{ME} # {uuid4().hex}"  # a text no earlier run registered
    sha256 = document_hash(document)

    first = post(as_alice, {"extensions": persisted(sha256)})
    assert first.status_code == 200
    assert error_codes(first.json()) == [ErrorCode.PERSISTED_QUERY_NOT_FOUND]
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"

    registered = post(as_alice, {"query": document, "extensions": persisted(sha256)})
    assert registered.json() == {"data": {"me": {"username": "alice"}}}

    by_hash = post(as_alice, {"extensions": persisted(sha256)})
    assert by_hash.json() == {"data": {"me": {"username": "alice"}}}
    over_get = get(as_alice, extensions=persisted(sha256))
    assert over_get.status_code == 200
    assert over_get.json() == {"data": {"me": {"username": "alice"}}}


def test_a_hash_that_does_not_match_the_document_is_refused(as_alice):
    answer = post(as_alice, {"query": ME, "extensions": persisted("0" * 64)})
    assert answer.status_code == 400
    assert error_codes(answer.json()) == [ErrorCode.BAD_REQUEST]


@pytest.mark.parametrize(
    "extension",
    [{"version": 2, "sha256Hash": "0" * 64}, {"version": 1, "sha256Hash": "xyz"}, "nonsense"],
)
def test_a_malformed_persisted_query_is_refused(as_alice, extension):
    answer = post(as_alice, {"extensions": {"persistedQuery": extension}})
    assert answer.status_code == 400
    assert error_codes(answer.json()) == [ErrorCode.BAD_REQUEST]


def test_the_operations_of_graphql_queries_are_registered_ahead_of_time(as_alice):
    sha256 = document_hash(operation("me"))
    assert post(as_alice, {"extensions": persisted(sha256)}).json()["data"]["me"]["username"] == (
        "alice"
    )


def test_allow_list_mode_runs_only_registered_documents(as_alice, settings):
    settings.GRAPHQL_PERSISTED_QUERIES_ONLY = True
    registered = operation("me")
    assert post(as_alice, {"query": registered}).json()["data"]["me"]["username"] == "alice"
    by_hash = post(as_alice, {"extensions": persisted(document_hash(registered))})
    assert by_hash.json()["data"]["me"]["username"] == "alice"

    other = "{ me { id } }"
    for body in (
        {"query": other},
        {"query": other, "extensions": persisted(document_hash(other))},
        {"extensions": persisted(document_hash(other))},
    ):
        assert error_codes(post(as_alice, body).json()) == [ErrorCode.PERSISTED_QUERY_NOT_IN_LIST]


def test_without_redis_a_client_falls_back_to_sending_the_document(as_alice, monkeypatch):
    monkeypatch.setattr(persisted_queries.redis, "async_client", lambda: None)
    sha256 = document_hash(ME)
    assert error_codes(post(as_alice, {"extensions": persisted(sha256)}).json()) == [
        ErrorCode.PERSISTED_QUERY_NOT_FOUND
    ]
    answer = post(as_alice, {"query": ME, "extensions": persisted(sha256)})
    assert answer.json() == {"data": {"me": {"username": "alice"}}}


def test_a_batch_is_answered_in_order_each_operation_on_its_own(as_alice):
    batch = [
        {"query": ME},
        {"query": "{ nonsense }"},
        {"query": "query ($id: ID!) { task(id: $id) { id } }", "variables": {"id": "1"}},
        "not an operation",
    ]
    answer = post(as_alice, batch)
    assert answer.status_code == 200
    results = answer.json()
    assert len(results) == 4
    assert results[0] == {"data": {"me": {"username": "alice"}}}
    assert error_codes(results[1]) == [ErrorCode.GRAPHQL_VALIDATION_FAILED]
    assert results[2] == {"data": {"task": None}}
    assert error_codes(results[3]) == [ErrorCode.BAD_REQUEST]


def test_a_batch_over_the_maximum_size_is_refused(as_alice, settings):
    settings.GRAPHQL_MAX_BATCH_SIZE = 2
    answer = post(as_alice, [{"query": ME}] * 3)
    assert answer.status_code == 400
    assert error_codes(answer.json()) == [ErrorCode.BAD_REQUEST]
    assert "1 to 2 operations" in answer.json()["errors"][0]["message"]
    assert error_codes(post(as_alice, []).json()) == [ErrorCode.BAD_REQUEST]
