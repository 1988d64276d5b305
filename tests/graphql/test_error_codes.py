"""One error contract: every top-level GraphQL error carries `extensions.code` from ErrorCode,
over HTTP, for each way a request can fail (the WebSocket paths share the schema extension)."""

import pytest

from backend.platform.errors import ErrorCode
from tests.graphql.support import error_codes

pytestmark = pytest.mark.django_db


def codes(client, query, variables=None) -> list[str]:
    return error_codes(client.post(query, variables).json())


def test_a_document_that_does_not_parse(as_alice):
    assert codes(as_alice, "{ tasks {") == [ErrorCode.GRAPHQL_PARSE_FAILED]


def test_a_document_the_schema_does_not_validate(as_alice):
    assert codes(as_alice, "{ tasks { results { nonsense } } }") == [
        ErrorCode.GRAPHQL_VALIDATION_FAILED
    ]


def test_a_document_over_a_limit(as_alice, settings):
    settings.GRAPHQL_MAX_ALIASES = 2
    assert set(codes(as_alice, "{ a: me { id } b: me { id } c: me { id } }")) == {
        ErrorCode.GRAPHQL_VALIDATION_FAILED
    }


def test_a_variable_of_the_wrong_type(as_alice):
    query = "query ($id: ID!) { task(id: $id) { id } }"
    assert codes(as_alice, query, {"id": {"not": "an id"}}) == [ErrorCode.BAD_USER_INPUT]


def test_a_variable_declared_with_the_wrong_type_fails_validation(as_alice):
    """graphql-core words this validation rule like a coercion ("Variable '$status' ...")."""
    query = "query ($status: TaskStatus) { tasks(filters: {status: $status}) { totalCount } }"
    assert codes(as_alice, query, {"status": "PENDING"}) == [ErrorCode.GRAPHQL_VALIDATION_FAILED]


def test_no_token(anonymous):
    assert codes(anonymous, "{ tasks { totalCount } }") == [ErrorCode.UNAUTHENTICATED]


def test_a_negative_page(as_alice):
    query = "{ tasks(pagination: {offset: -1}) { totalCount } }"
    assert codes(as_alice, query) == [ErrorCode.BAD_USER_INPUT]


def test_a_request_that_is_not_graphql_over_http(as_alice):
    response = as_alice.http.post("/graphql/", "1", content_type="application/json")
    assert error_codes(response.json()) == [ErrorCode.BAD_REQUEST]
    response = as_alice.http.post("/graphql/", "query", content_type="text/plain")
    assert error_codes(response.json()) == [ErrorCode.UNSUPPORTED_MEDIA_TYPE]


def test_a_mutation_over_get(as_alice):
    response = as_alice.http.get("/graphql/", {"query": "mutation { logout { ok } }"})
    assert response.status_code == 405
    assert error_codes(response.json()) == [ErrorCode.METHOD_NOT_ALLOWED]


@pytest.mark.parametrize(
    "query",
    [
        "{ tasks(pagination: {limit: 101}) { totalCount } }",
        "{ taskConnection(first: 101) { edges { node { id } } } }",
        "{ taskConnection(last: 101) { edges { node { id } } } }",
    ],
)
def test_a_page_over_the_maximum_size_is_refused_alike(as_alice, query):
    answer = as_alice.post(query).json()
    assert error_codes(answer) == [ErrorCode.BAD_USER_INPUT]
    assert "cannot be higher than 100" in answer["errors"][0]["message"]
