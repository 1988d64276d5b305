"""Errors every front door translates the same way (GraphQL messages, REST status codes)."""

from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError


class ConflictError(ValidationError):
    """The change was based on a stale state of the object (a REST 409, a GraphQL conflict)."""


class TooLargeError(ValidationError):
    """The request holds more than Stride takes at once (a REST 413, a GraphQL message)."""


# Whether the object does not exist or may not be seen, the same answer on every door.
NOT_FOUND_MESSAGE = "Not found: it does not exist or you may not see it."


class InvalidCredentials(ValidationError):
    """Wrong credentials or an inactive account, told apart from neither (a REST 401, a GraphQL
    UNAUTHENTICATED refusal)."""


def field_error(field, message, code):
    """A ValidationError naming the field it is about, as services raise them."""
    return ValidationError({field: ValidationError(message, code=code)})


class ErrorCode(StrEnum):
    """What went wrong, for clients to branch on: GraphQL's `extensions.code` and REST's `code`.

    One list for every front door (README, "Errors"); a message may change, a code does not.
    What each means, for clients, is `MEANINGS` (the GraphQL enum's descriptions).
    """

    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    BAD_REQUEST = "BAD_REQUEST"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    PRECONDITION_FAILED = "PRECONDITION_FAILED"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


MEANINGS = {
    ErrorCode.GRAPHQL_PARSE_FAILED: "The document is not GraphQL.",
    ErrorCode.GRAPHQL_VALIDATION_FAILED: "The document is not valid against the schema, or "
    "over a limit (depth, aliases, size).",
    ErrorCode.BAD_REQUEST: "Not a well-formed request (HTTP body or parameters).",
    ErrorCode.BAD_USER_INPUT: "A value is refused: `field` names it (REST: `field_errors`).",
    ErrorCode.UNAUTHENTICATED: "No valid access token, or wrong credentials at sign-in.",
    ErrorCode.FORBIDDEN: "You see the object but may not do this to it.",
    ErrorCode.NOT_FOUND: "No such object, or one you may not see: the same answer either way.",
    ErrorCode.METHOD_NOT_ALLOWED: "REST: this path does not take this method.",
    ErrorCode.CONFLICT: "The object changed since the `version` you sent: read it again.",
    ErrorCode.PRECONDITION_FAILED: "REST: `If-Match` names an older version of the object.",
    ErrorCode.PAYLOAD_TOO_LARGE: "More than Stride takes at once (records, bytes).",
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: "A body in a format Stride does not read.",
    ErrorCode.PERSISTED_QUERY_NOT_FOUND: "Send the document with its hash (automatic "
    "persisted queries).",
    ErrorCode.PERSISTED_QUERY_NOT_IN_LIST: "Only registered documents run on this server.",
    ErrorCode.RATE_LIMITED: "Too many requests: wait `extensions.retryAfter` (REST: "
    "`Retry-After`) seconds.",
    ErrorCode.SERVICE_UNAVAILABLE: "A service Stride needs is down: retry after `Retry-After` "
    "seconds.",
    ErrorCode.INTERNAL_SERVER_ERROR: "A bug of ours, logged under the request id the message "
    "names.",
}


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


# What the services raise to refuse a request, most specific first (the first three are
# ValidationErrors too).
REFUSALS = (
    (TooLargeError, ErrorCode.PAYLOAD_TOO_LARGE),
    (ConflictError, ErrorCode.CONFLICT),
    (InvalidCredentials, ErrorCode.UNAUTHENTICATED),
    (ValidationError, ErrorCode.BAD_USER_INPUT),
    (ObjectDoesNotExist, ErrorCode.NOT_FOUND),
    (PermissionDenied, ErrorCode.FORBIDDEN),
)


def refusal_code(error: Exception) -> ErrorCode | None:
    """The code of a refusal a service raised, the same on every door; None for anything else."""
    for kind, code in REFUSALS:
        if isinstance(error, kind):
            return code
    return None
