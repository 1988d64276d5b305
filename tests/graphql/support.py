"""Assertions on GraphQL answers shared by the tests of this package."""


def problems(payload) -> list[dict]:
    """The OperationInfo messages of a mutation's answer; fails if the mutation succeeded."""
    assert "messages" in payload, f"expected OperationInfo messages, got {payload}"
    return payload["messages"]


def problem_on(payload, field: str, kind: str = "BAD_USER_INPUT") -> dict:
    """The one message about `field` (its camelCase GraphQL name), of that kind."""
    on_field = [message for message in problems(payload) if message["field"] == field]
    assert len(on_field) == 1, problems(payload)
    assert on_field[0]["kind"] == kind
    return on_field[0]


def assert_not_found(payload):
    """The object is reported as missing: the same answer whether it exists or not."""
    (message,) = problems(payload)
    assert message["kind"] == "NOT_FOUND"
    assert message["code"] == "not_found"
    assert "does not exist" in message["message"]


def assert_permission_denied(payload):
    (message,) = problems(payload)
    assert message["kind"] == "FORBIDDEN"
    assert message["code"] == "permission_denied"


def error_codes(answer) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in answer.get("errors", [])]
