"""GraphQL over HTTP (schema/view.py), rule by rule, as the GraphQL-over-HTTP spec states them."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from backend.accounts.services import tokens_for
from tests.conftest import GRAPHQL_URL

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
ME = "query Me { me { username } }"


@pytest.fixture
def http(db):
    return Client()


def post(http, body, accept=GRAPHQL_RESPONSE, content_type=JSON, **headers):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    if accept is not None:
        headers["Accept"] = accept
    # CONTENT_TYPE again: Django's test client drops the content type of an empty body.
    return http.post(
        GRAPHQL_URL, raw, content_type=content_type, headers=headers, CONTENT_TYPE=content_type
    )


def get(http, params, accept=GRAPHQL_RESPONSE, **headers):
    if accept is not None:
        headers["Accept"] = accept
    return http.get(f"{GRAPHQL_URL}?{urlencode(params)}", headers=headers)


def media_type(response) -> str:
    return response["Content-Type"].split(";")[0]


# Requests that cannot be executed, each as (description, POST body).
REQUEST_ERRORS = [
    ("body is not JSON", "{not json"),
    ("query is missing", {"variables": {}}),
    ("query is not a string", {"query": 42}),
    ("variables is not an object", {"query": "{ __typename }", "variables": [1]}),
    ("variables is a string", {"query": "{ __typename }", "variables": "{}"}),
    ("extensions is not an object", {"query": "{ __typename }", "extensions": "x"}),
    ("operationName is not a string", {"query": "{ __typename }", "operationName": 7}),
    ("document does not parse", {"query": "{ __typename"}),
    ("document does not validate", {"query": "{ noSuchField }"}),
    ("operationName names no operation", {"query": ME, "operationName": "Other"}),
    ("body is a JSON string", '"{ __typename }"'),
    ("body is empty", ""),
    ("body nests too deeply", '{"query": "{ __typename }", "variables": ' + "[" * 100_000 + "}"),
]


# application/graphql-response+json


def test_success_is_200_with_the_graphql_response_media_type(http):
    response = post(http, {"query": "{ __typename }"})
    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(("case", "body"), REQUEST_ERRORS, ids=[case for case, _ in REQUEST_ERRORS])
def test_request_error_is_400_without_data_for_graphql_response_clients(http, case, body):
    response = post(http, body)
    assert response.status_code == 400, case
    assert media_type(response) == GRAPHQL_RESPONSE
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"] and all(error["message"] for error in answer["errors"])


def test_execution_error_stays_200_with_data_for_graphql_response_clients(http):
    response = post(http, {"query": ME})
    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_graphql_response_is_preferred_when_both_are_accepted_equally(http):
    response = post(http, {"query": "{ __typename }"}, accept=f"{JSON}, {GRAPHQL_RESPONSE}")
    assert media_type(response) == GRAPHQL_RESPONSE


def test_json_is_chosen_when_it_has_the_higher_quality(http):
    response = post(http, {"query": "{ __typename }"}, accept=f"{GRAPHQL_RESPONSE};q=0.5, {JSON}")
    assert media_type(response) == JSON


# application/json (and no Accept, and */*): the classic behaviour


@pytest.mark.parametrize("accept", [JSON, None, "*/*"], ids=["json", "no-accept", "any"])
def test_success_for_json_clients_is_200_application_json(http, accept):
    response = post(http, {"query": "{ __typename }"}, accept=accept)
    assert response.status_code == 200
    assert media_type(response) == JSON
    assert response.json() == {"data": {"__typename": "Query"}}


# A document that parses as a request but fails GraphQL parsing or validation is answered the
# classic way to application/json clients; a request that is not a GraphQL request at all is a 400
# whatever the media type (the graphql-http audit, BCF8 and its notices).
DOCUMENT_ERRORS = {"document does not parse", "document does not validate"}


@pytest.mark.parametrize("accept", [JSON, None, "*/*"], ids=["json", "no-accept", "any"])
@pytest.mark.parametrize(("case", "body"), REQUEST_ERRORS, ids=[case for case, _ in REQUEST_ERRORS])
def test_request_error_for_json_clients_is_json_with_errors(http, accept, case, body):
    response = post(http, body, accept=accept)
    assert response.status_code == (200 if case in DOCUMENT_ERRORS else 400), case
    assert media_type(response) == JSON
    answer = response.json()
    assert answer["errors"][0]["message"]


# GET


def test_get_query_with_url_encoded_variables(http, alice):
    response = get(
        http,
        {
            "query": "query ($id: ID!) { project(id: $id) { id } }",
            "variables": json.dumps({"id": "1"}),
        },
        Authorization=f"Bearer {tokens_for(alice).access_token}",
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"project": None}}


def test_get_query_with_operation_name(http):
    response = get(
        http, {"query": "query A { __typename } query B { __typename }", "operationName": "B"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_get_with_variables_that_are_not_json_is_400(http):
    response = get(http, {"query": "{ __typename }", "variables": "{oops"})
    assert response.status_code == 400
    assert "data" not in response.json()


def test_mutation_over_get_is_405_allowing_post(http):
    mutation = 'mutation { tokenAuth(username: "a", password: "b") { __typename } }'
    response = get(http, {"query": mutation})
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["errors"][0]["message"]


def test_mutation_over_get_is_405_for_json_clients_too(http):
    mutation = 'mutation { tokenAuth(username: "a", password: "b") { __typename } }'
    response = get(http, {"query": mutation}, accept=JSON)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_get_without_a_query_from_a_browser_is_graphiql(http):
    response = http.get(GRAPHQL_URL, headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"graphiql" in response.content.lower()


def test_get_without_a_query_from_a_client_is_a_request_error(http):
    response = get(http, {})
    assert response.status_code == 400
    assert "data" not in response.json()


# other methods, content types and media types


def test_post_without_a_content_type_is_415(http):
    response = http.generic("POST", GRAPHQL_URL, b'{"query": "{ __typename }"}', content_type="")
    assert response.status_code == 415


def test_post_with_a_form_content_type_is_415(http):
    response = post(http, "query={__typename}", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_post_json_with_a_charset_is_accepted(http):
    response = post(
        http, {"query": "{ __typename }"}, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200


def test_unsupported_accept_is_406(http):
    response = post(http, {"query": "{ __typename }"}, accept="text/plain")
    assert response.status_code == 406


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_are_405_allowing_get_and_post(http, method):
    response = http.generic(
        method,
        GRAPHQL_URL,
        b'{"query": "{ __typename }"}',
        content_type=JSON,
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_batched_request_gets_an_array_of_results(http):
    response = post(http, [{"query": "{ __typename }"}, {"query": "{ __typename }"}])
    assert response.status_code == 200
    assert response.json() == [{"data": {"__typename": "Query"}}] * 2


def test_subscription_over_http_points_to_websocket(http):
    response = post(http, {"query": "subscription { taskChanged { __typename } }"})
    assert response.status_code == 400
    assert "WebSocket" in response.json()["errors"][0]["message"]


def test_body_over_the_upload_limit_is_413(http, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(http, {"query": "{ __typename }", "variables": {"padding": "x" * 1000}})
    assert response.status_code == 413
    assert "larger than 1000 bytes" in response.json()["errors"][0]["message"]


def test_get_with_variables_nesting_too_deeply_is_400(http):
    response = get(http, {"query": "{ __typename }", "variables": "[" * 100_000})
    assert response.status_code == 400
    assert "nests too deeply" in response.json()["errors"][0]["message"]


def test_post_needs_no_csrf_token(db):
    """API clients send a token, not Django's CSRF cookie: the endpoint is exempt."""
    response = post(Client(enforce_csrf_checks=True), {"query": "{ __typename }"})

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
