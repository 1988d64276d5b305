"""Abusive documents (too deep, too many aliases, tokens or fields, fragment bombs and cycles,
several operations and no name) are refused before they are validated or run."""

import json
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import get_introspection_query

from schema.limits import REMEMBERED_DOCUMENT_LENGTH, DocumentLimits, DocumentParsing
from tests.conftest import GRAPHQL_URL

GRAPHQL_RESPONSE = "application/graphql-response+json"

# The deepest path the schema has: five levels (taskConnection > edges > node > project >
# members). The configured limit (10) leaves room to grow; the tests lower it to meet it.
FIVE_DEEP = "{ taskConnection { edges { node { project { members { id } } } } } }"

# Twenty fragments, each spreading the previous one twice: 800 bytes that expand to a million
# fields. The stock depth and alias limiters walked every expansion (19 s to over a minute).
FRAGMENT_BOMB = "{ ...F20 } fragment F1 on Query { me { id } } " + " ".join(
    f"fragment F{level} on Query {{ ...F{level - 1} ...F{level - 1} }}" for level in range(2, 21)
)

# __Type.fields > __Field.type > __Type.fields ...: every level multiplies the answer.
DEEP_INTROSPECTION = (
    "{ __schema { types { fields { type { fields { type { fields { type { fields { type {"
    " fields { name } } } } } } } } } } } }"
)


def aliased_query(count: int) -> str:
    return "{ " + " ".join(f"me{number}: me {{ id }}" for number in range(count)) + " }"


def many_tokens_query(count: int) -> str:
    # `{ tasks ( filters : { status : [ ... ] } ) { totalCount } }` is 16 tokens around the list.
    statuses = " ".join(["PENDING"] * (count - 16))
    return f"{{ tasks(filters: {{ status: [{statuses}] }}) {{ totalCount }} }}"


def refused(client, document, operation_name=None) -> str:
    """The one error a graphql-response+json client gets; the document must not have run."""
    with CaptureQueriesContext(connection) as captured:
        response = post(client, document, operation_name, Accept=GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body
    # The only query is the one that loads the token's user.
    assert len(captured.captured_queries) <= 1
    (error,) = body["errors"]
    return error["message"]


def post(client, document, operation_name=None, **headers):
    body = {"query": document, "operationName": operation_name}
    return client.http.post(
        GRAPHQL_URL,
        json.dumps(body),
        content_type="application/json",
        headers={**client.headers, **headers},
    )


def test_document_at_the_depth_limit_is_served(as_alice, settings):
    settings.GRAPHQL_MAX_DEPTH = 5
    as_alice.data(FIVE_DEEP)


def test_document_deeper_than_the_limit_is_refused(as_alice, settings):
    settings.GRAPHQL_MAX_DEPTH = 4
    assert refused(as_alice, FIVE_DEEP) == "'anonymous' exceeds maximum operation depth of 4"


def test_configured_depth_limit_is_ten(as_alice):
    # `me` is level 0, so `k` is level 11.
    deep = "{ me { a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } } }"
    assert refused(as_alice, deep) == "'anonymous' exceeds maximum operation depth of 10"


def test_depth_counts_the_levels_fragments_add(as_alice, settings):
    settings.GRAPHQL_MAX_DEPTH = 4
    document = (
        "query Nested { taskConnection { ...Edges } } "
        "fragment Edges on TaskConnection { edges { node { ...Members } } } "
        "fragment Members on Task { project { members { id } } }"
    )
    assert refused(as_alice, document) == "'Nested' exceeds maximum operation depth of 4"


def test_introspection_deeper_than_the_limit_is_refused(anonymous):
    message = refused(anonymous, DEEP_INTROSPECTION)
    assert message == "'anonymous' exceeds maximum operation depth of 10"


def test_introspection_at_the_depth_limit_is_served(anonymous, settings):
    settings.GRAPHQL_MAX_DEPTH = 4
    data = anonymous.data("{ __schema { types { fields { type { name } } } } }")
    assert data["__schema"]["types"]
    message = refused(anonymous, "{ __schema { types { fields { type { fields { name } } } } } }")
    assert message == "'anonymous' exceeds maximum operation depth of 4"


def test_graphiqls_introspection_query_is_served(anonymous, settings):
    # Fourteen levels if each of TypeRef's nine nested `ofType` counted as one: they do not.
    assert settings.GRAPHQL_MAX_DEPTH == 10
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, input_value_deprecation=True
    )
    data = anonymous.data(query)
    assert data["__schema"]["queryType"]["name"] == "Query"


def test_document_at_the_alias_limit_is_served(as_alice, settings):
    data = as_alice.data(aliased_query(settings.GRAPHQL_MAX_ALIASES))
    assert len(data) == settings.GRAPHQL_MAX_ALIASES == 15


def test_document_with_too_many_aliases_is_refused(as_alice, settings):
    message = refused(as_alice, aliased_query(settings.GRAPHQL_MAX_ALIASES + 1))
    assert message == "16 aliases found. Allowed: 15"


def test_aliases_are_counted_in_every_spread_of_a_fragment(as_alice):
    document = "{ ...Twice ...Twice } fragment Twice on Query { ...Aliased ...Aliased } " + (
        "fragment Aliased on Query { " + aliased_query(4)[2:]
    )
    # Four spreads of four aliases.
    assert refused(as_alice, document) == "16 aliases found. Allowed: 15"


def test_document_at_the_token_limit_is_served(as_alice, settings):
    assert settings.GRAPHQL_MAX_TOKENS == 2000
    as_alice.data(many_tokens_query(settings.GRAPHQL_MAX_TOKENS))


def test_document_with_too_many_tokens_is_refused(as_alice, settings):
    message = refused(as_alice, many_tokens_query(settings.GRAPHQL_MAX_TOKENS + 1))
    assert message == "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."


def test_document_at_the_field_limit_is_served(as_alice, settings):
    # `me` and twice the fragment's three fields: seven fields once expanded.
    document = "{ me { ...Names ...Names } } fragment Names on Profile { id username email }"
    settings.GRAPHQL_MAX_FIELDS = 7
    assert as_alice.data(document)["me"]["username"] == "alice"
    settings.GRAPHQL_MAX_FIELDS = 6
    assert refused(as_alice, document) == "7 fields found with fragments expanded. Allowed: 6"


def test_configured_field_limit_leaves_room_for_introspection(settings):
    assert settings.GRAPHQL_MAX_FIELDS == 1000


def test_fragment_bomb_is_refused_at_once(anonymous):
    started = time.perf_counter()
    message = refused(anonymous, FRAGMENT_BOMB)
    elapsed = time.perf_counter() - started
    assert message == "1048576 fields found with fragments expanded. Allowed: 1000"
    # Well under a millisecond of work (bench/limits.py); generous for a loaded machine.
    assert elapsed < 0.5


def test_a_refused_document_is_never_validated(anonymous):
    # graphql-core's rules would walk what the fragments expand to: the limits come first.
    validations = DocumentLimits().cached_validate_document
    asked = validations.cache_info()[:2]  # hits and misses
    refused(anonymous, FRAGMENT_BOMB.replace("F", "G"))
    assert validations.cache_info()[:2] == asked


def test_fragment_bomb_of_aliases_is_refused_at_once(anonymous):
    aliased = FRAGMENT_BOMB.replace("{ me { id } }", "{ a: me { id } }")
    started = time.perf_counter()
    response = post(anonymous, aliased, Accept=GRAPHQL_RESPONSE)
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    messages = [error["message"] for error in response.json()["errors"]]
    assert messages == [
        "524288 aliases found. Allowed: 15",
        "1048576 fields found with fragments expanded. Allowed: 1000",
    ]
    assert elapsed < 0.5


def test_several_operations_without_an_operation_name_are_refused(as_alice):
    document = "query Mine { me { id } } query Names { me { username } }"
    message = refused(as_alice, document)
    assert message == "Must provide operation name if query contains multiple operations."
    response = post(as_alice, document, "Names")
    assert response.json() == {"data": {"me": {"username": "alice"}}}


def test_a_bomb_among_several_operations_is_refused_even_when_one_is_named(as_alice):
    document = FRAGMENT_BOMB.replace("{ ...F20 }", "query Mine { me { id } } query Bomb { ...F20 }")
    # Every operation is validated, so every operation counts: 2 + 1048576 fields.
    message = refused(as_alice, document, "Mine")
    assert message == "1048578 fields found with fragments expanded. Allowed: 1000"


def test_fragment_cycles_are_refused(as_alice):
    document = "{ ...A } fragment A on Query { ...B ...B } fragment B on Query { ...A ...A }"
    assert refused(as_alice, document) == "Cannot spread fragment 'A' within itself via 'B'."


def test_a_fragment_spreading_itself_is_refused(as_alice):
    document = "{ me { id } } fragment Loop on Query { me { id } ...Loop }"
    assert refused(as_alice, document) == "Cannot spread fragment 'Loop' within itself."


def test_refused_document_for_a_json_client_is_200_with_errors(as_alice):
    response = as_alice.post(aliased_query(16), Accept="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["message"] == "16 aliases found. Allowed: 15"


def test_a_repeated_document_is_parsed_and_validated_once(as_alice):
    document = "{ me { id username dateJoined } }"  # sent by no other test
    parses = DocumentParsing().cached_parse_document
    validations = DocumentLimits().cached_validate_document
    as_alice.data(document)
    parsed, validated = parses.cache_info(), validations.cache_info()
    second = as_alice.data(document)
    assert second["me"]["username"] == "alice"
    assert parses.cache_info().misses == parsed.misses
    assert parses.cache_info().hits == parsed.hits + 1
    assert validations.cache_info().misses == validated.misses
    assert validations.cache_info().hits == validated.hits + 1


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


def test_a_long_document_is_served_but_not_remembered(as_alice):
    document = "{ me { username } }\n# " + "x" * REMEMBERED_DOCUMENT_LENGTH
    parses = DocumentParsing().cached_parse_document
    validations = DocumentLimits().cached_validate_document
    asked = parses.cache_info()[:2], validations.cache_info()[:2]  # hits and misses
    assert as_alice.data(document) == {"me": {"username": "alice"}}
    assert (parses.cache_info()[:2], validations.cache_info()[:2]) == asked
