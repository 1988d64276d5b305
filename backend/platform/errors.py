"""Errors every front door translates the same way (GraphQL messages, REST status codes)."""

from enum import StrEnum

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """The change was based on a stale state of the object (a REST 409, a GraphQL conflict)."""


class TooLargeError(ValidationError):
    """The request holds more than Stride takes at once (a REST 413, a GraphQL message)."""


def field_error(field, message, code):
    """A ValidationError naming the field it is about, as services raise them."""
    return ValidationError({field: ValidationError(message, code=code)})


class ErrorCode(StrEnum):
    """What went wrong, for clients to branch on: GraphQL's `extensions.code` and REST's `code`.

    One list for every front door (README, "Errors"); a message may change, a code does not.
    """

    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"  # the document is not GraphQL
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"  # not valid against the schema
    BAD_REQUEST = "BAD_REQUEST"  # not a well-formed request (HTTP body, parameters)
    BAD_USER_INPUT = "BAD_USER_INPUT"  # a value is refused (REST: see field_errors)
    UNAUTHENTICATED = "UNAUTHENTICATED"  # no valid access token (or wrong credentials)
    FORBIDDEN = "FORBIDDEN"  # signed in, but not allowed
    NOT_FOUND = "NOT_FOUND"  # no such object, or one you may not see
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"  # the object changed since the version you sent
    PRECONDITION_FAILED = "PRECONDITION_FAILED"  # REST: If-Match names an older version
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # send the document with its hash
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"  # allow-list mode: not registered
    RATE_LIMITED = "RATE_LIMITED"  # wait `retryAfter` (GraphQL) / `Retry-After` seconds
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"  # a service Stride needs is down; retry
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"  # a bug of ours, logged


HTTP_STATUS_CODES = {
    400: ErrorCode.BAD_USER_INPUT,
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    412: ErrorCode.PRECONDITION_FAILED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.RATE_LIMITED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}


def code_for_status(status: int) -> ErrorCode:
    """The code of an HTTP error answer that names none itself."""
    if status >= 500:
        return HTTP_STATUS_CODES.get(status, ErrorCode.INTERNAL_SERVER_ERROR)
    return HTTP_STATUS_CODES.get(status, ErrorCode.BAD_REQUEST)
