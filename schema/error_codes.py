"""Every top-level GraphQL error carries `extensions.code` from one list, over HTTP and WebSocket.

Errors raised by our own code may name their code (UNAUTHENTICATED, RATE_LIMITED, ...); the others
are given one here, from what failed: the parser, validation, the coercion of a variable, or the
exception a resolver raised. The list is backend.platform.errors.ErrorCode, shared with REST.
"""

from collections.abc import Iterator

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from backend.platform import outages
from backend.platform.errors import ErrorCode, refusal_code
from backend.platform.ratelimit import RateLimited


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if original is None:
        if isinstance(error, GraphQLSyntaxError):
            return ErrorCode.GRAPHQL_PARSE_FAILED
        if error.path:
            return ErrorCode.INTERNAL_SERVER_ERROR
        # graphql-core words the coercion of variables this way, and nothing else.
        if error.message.startswith("Variable '$"):
            return ErrorCode.BAD_USER_INPUT
        return ErrorCode.GRAPHQL_VALIDATION_FAILED
    if isinstance(original, RateLimited):
        return ErrorCode.RATE_LIMITED
    if code := refusal_code(original):
        return code
    if outages.as_unavailable(original) is not None:
        return ErrorCode.SERVICE_UNAVAILABLE
    # Strawberry's refusal of a Relay `first`/`last` over the maximum (test_error_codes.py pins
    # the wording): the client's input, not our bug.
    if isinstance(original, ValueError) and error.message.startswith("Argument '"):
        return ErrorCode.BAD_USER_INPUT
    if isinstance(original, GraphQLError):  # raised in a resolver, with or without a code
        return (original.extensions or {}).get("code") or ErrorCode.BAD_USER_INPUT
    return ErrorCode.INTERNAL_SERVER_ERROR


def with_codes(errors: list[GraphQLError] | None) -> None:
    for error in errors or ():
        extensions = error.extensions if error.extensions is not None else {}
        if "code" not in extensions:
            extensions["code"] = error_code(error)
            if extensions["code"] == ErrorCode.RATE_LIMITED:
                extensions["retryAfter"] = int(error.original_error.retry_after)
        error.extensions = extensions


class ErrorCodes(SchemaExtension):
    """Adds the codes once a result is known: at the end of an operation, and on each result of
    a subscription before it is sent."""

    def on_validate(self) -> Iterator[None]:
        # Validation rules word some refusals like a variable's coercion ("Variable '$status'
        # of type ... used in position expecting ..."): tagged here, where they are known to
        # come from validation.
        yield
        for error in self.execution_context.pre_execution_errors or ():
            error.extensions = {
                "code": ErrorCode.GRAPHQL_VALIDATION_FAILED,
                **(error.extensions or {}),
            }

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        with_codes(getattr(result, "errors", None))

    def on_stream_result(self, result) -> Iterator[None]:
        with_codes(getattr(result, "errors", None))
        yield
