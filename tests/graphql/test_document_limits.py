"""Abusive documents (too deep, too many aliases, too many tokens) are refused before running."""

import strawberry.schema.schema as strawberry_schema
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schema import schema

GRAPHQL_RESPONSE = "application/graphql-response+json"

# The deepest path the schema has: five levels (taskConnection > edges > node > project >
# members). The configured limit (10) leaves room to grow; the tests lower it to meet it.
FIVE_DEEP = "{ taskConnection { edges { node { project { members { id } } } } } }"


def aliased_query(count: int) -> str:
    return "{ " + " ".join(f"me{number}: me {{ id }}" for number in range(count)) + " }"


def many_tokens_query(count: int) -> str:
    # `{ tasks ( filters : { status : [ ... ] } ) { totalCount } }` is 16 tokens around the list.
    statuses = " ".join(["PENDING"] * (count - 16))
    return f"{{ tasks(filters: {{ status: [{statuses}] }}) {{ totalCount }} }}"


def refused(client, document) -> str:
    """The one error a graphql-response+json client gets; the document must not have run."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post(document, Accept=GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body
    # The only query is the one that loads the token's user.
    assert len(captured.captured_queries) <= 1
    (error,) = body["errors"]
    return error["message"]


def test_document_at_the_depth_limit_is_served(as_alice, settings):
    settings.GRAPHQL_MAX_DEPTH = 5
    as_alice.data(FIVE_DEEP)


def test_document_deeper_than_the_limit_is_refused(as_alice, settings):
    settings.GRAPHQL_MAX_DEPTH = 4
    assert refused(as_alice, FIVE_DEEP) == "'anonymous' exceeds maximum operation depth of 4"


def test_configured_depth_limit_is_ten(as_alice):
    # `me` is level 0, so `k` is level 11.
    deep = "{ me { a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } } }"
    response = as_alice.post(deep, Accept=GRAPHQL_RESPONSE)
    assert response.status_code == 400
    messages = [error["message"] for error in response.json()["errors"]]
    assert "'anonymous' exceeds maximum operation depth of 10" in messages


def test_document_at_the_alias_limit_is_served(as_alice, settings):
    data = as_alice.data(aliased_query(settings.GRAPHQL_MAX_ALIASES))
    assert len(data) == settings.GRAPHQL_MAX_ALIASES == 15


def test_document_with_too_many_aliases_is_refused(as_alice, settings):
    message = refused(as_alice, aliased_query(settings.GRAPHQL_MAX_ALIASES + 1))
    assert message == "16 aliases found. Allowed: 15"


def test_document_at_the_token_limit_is_served(as_alice, settings):
    assert settings.GRAPHQL_MAX_TOKENS == 2000
    as_alice.data(many_tokens_query(settings.GRAPHQL_MAX_TOKENS))


def test_document_with_too_many_tokens_is_refused(as_alice, settings):
    message = refused(as_alice, many_tokens_query(settings.GRAPHQL_MAX_TOKENS + 1))
    assert message == "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."


def test_refused_document_for_a_json_client_is_200_with_errors(as_alice):
    response = as_alice.post(aliased_query(16), Accept="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == "16 aliases found. Allowed: 15"


def test_a_repeated_document_is_parsed_and_validated_once(as_alice, monkeypatch):
    document = "{ me { id username } }"
    schema.documents.clear()
    as_alice.data(document)
    validated = []
    monkeypatch.setattr(strawberry_schema, "validate", lambda *args: validated.append(args) or [])
    second = as_alice.data(document)
    assert second["me"]["username"] == "alice"
    assert validated == []


def test_a_changed_limit_applies_to_a_document_seen_before(as_alice, settings):
    as_alice.data(FIVE_DEEP)
    settings.GRAPHQL_MAX_DEPTH = 4
    assert refused(as_alice, FIVE_DEEP) == "'anonymous' exceeds maximum operation depth of 4"
    settings.GRAPHQL_MAX_TOKENS = 10
    assert refused(as_alice, FIVE_DEEP).startswith("Syntax Error: Document contains more than 10")


def test_an_invalid_document_is_refused_each_time_it_is_sent(as_alice):
    for _ in range(2):
        response = as_alice.post("{ me { noSuchField } }", Accept=GRAPHQL_RESPONSE)
        assert response.status_code == 400
        assert "Cannot query field 'noSuchField'" in response.json()["errors"][0]["message"]


def test_documents_remembered_are_bounded():
    schema.documents.clear()
    rules = ()
    for number in range(schema.documents.size + 10):
        schema.documents.prepared(schema, f"{{ me {{ id }} a{number}: me {{ id }} }}", rules)
    assert len(schema.documents._documents) == schema.documents.size


def test_a_long_document_is_prepared_but_not_remembered():
    from schema.documents import REMEMBERED_DOCUMENT_LENGTH

    schema.documents.clear()
    long_literal = "x" * REMEMBERED_DOCUMENT_LENGTH
    prepared = schema.documents.prepared(schema, f'{{ task(id: "{long_literal}") {{ id }} }}', ())
    assert prepared.errors == ()
    assert len(schema.documents._documents) == 0
