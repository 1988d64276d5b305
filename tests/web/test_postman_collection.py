"""The Postman collection in graphql-queries/ carries every HTTP operation there, verbatim."""

import json
import re

from graphql import NonNullTypeNode

from scripts.postman_collection import COLLECTION, OPERATIONS, PUBLIC, collection, operations

REGENERATE = "run: .venv/bin/python scripts/postman_collection.py"


def committed():
    return json.loads(COLLECTION.read_text())


def requests_by_name():
    return {item["name"]: item for item in committed()["item"]}


def variables_of(item):
    """A request's GraphQL variables, with Postman's {{placeholders}} filled in."""
    text = item["request"]["body"]["graphql"]["variables"]
    quoted_placeholder = re.compile(r'"\{\{[^}]+\}\}"')
    text = quoted_placeholder.sub('"1"', text)
    return json.loads(re.sub(r"\{\{[^}]+\}\}", "1", text))


def test_committed_collection_is_what_the_generator_writes():
    assert committed() == collection(), REGENERATE


def test_every_http_operation_has_a_request_with_the_files_document():
    requests = requests_by_name()
    assert set(requests) == set(operations()), REGENERATE
    for name, item in requests.items():
        body = item["request"]["body"]
        assert body["mode"] == "graphql"
        assert body["graphql"]["query"] == (OPERATIONS / f"{name}.graphql").read_text(), name


def test_subscriptions_are_left_out():
    subscriptions = {
        path.stem
        for path in OPERATIONS.glob("*.graphql")
        if path.read_text().lstrip().startswith("subscription")
    }
    assert subscriptions.isdisjoint(requests_by_name())


def test_each_request_sends_the_variables_its_operation_requires_and_no_others():
    for name, definition in operations().items():
        definitions = definition.variable_definitions or ()
        declared = {variable.variable.name.value for variable in definitions}
        required = {
            variable.variable.name.value
            for variable in definitions
            if isinstance(variable.type, NonNullTypeNode) and variable.default_value is None
        }
        sent = set(variables_of(requests_by_name()[name]))
        assert required <= sent <= declared, name


def test_signing_in_stores_the_tokens_for_the_other_requests():
    requests = requests_by_name()
    for name in ("tokenAuth", "register", "refreshToken"):
        script = "\n".join(requests[name]["event"][0]["script"]["exec"])
        assert 'pm.collectionVariables.set("access", String(payload.access))' in script
        assert 'pm.collectionVariables.set("refresh", String(payload.refresh))' in script


def test_requests_authenticate_with_the_stored_token_except_public_ones():
    document = committed()
    assert {"baseUrl", "access"} <= {variable["key"] for variable in document["variable"]}
    assert document["auth"]["bearer"][0]["value"] == "{{access}}"
    for name, item in requests_by_name().items():
        assert item["request"]["url"]["raw"] == "{{baseUrl}}/graphql/"
        public = item["request"].get("auth") == {"type": "noauth"}
        assert public == (name in PUBLIC), name
