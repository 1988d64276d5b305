"""What GraphQL clients are told of unexpected errors, and what is logged
(`StrideSchema.process_errors`; the codes themselves come from schema/error_codes.py).

A service that cannot be reached (backend/platform/outages.py) is SERVICE_UNAVAILABLE with
`retryAfter`, never masked: the HTTP endpoint turns it into a 503. Any other exception nobody
expected (a database or driver error, a bug) is logged with the document,
its string literals redacted (they may be passwords or tokens), and masked as
INTERNAL_SERVER_ERROR with a request id. Strawberry's own logging would write every error with
its document, literals included. Django's errors outside a mutation keep their meaning in words
a client can show, instead of Django's representation.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from graphql import GraphQLError, StringValueNode, Visitor, print_ast, visit

from backend.platform import incidents, outages
from backend.platform.errors import NOT_FOUND_MESSAGE, ErrorCode
from schema.error_codes import error_code

# Django's own wording for a missing row ("Task matching query does not exist.") names a model.
DJANGO_NOT_FOUND = "matching query does not exist"


def present(errors: list[GraphQLError], execution_context) -> None:
    """Mask and log the unexpected errors, reword Django's; in place, since this runs before
    the result is built on every path (HTTP, WebSocket, errors raised by extensions)."""
    for error in errors:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            continue
        if error.path is None and isinstance(original, ValueError | TypeError):
            continue  # a variable's value refused by its scalar, before execution
        unavailable = outages.as_unavailable(original)
        if unavailable is not None:
            error.message = str(unavailable)
            error.extensions = {
                "code": ErrorCode.SERVICE_UNAVAILABLE,
                "retryAfter": int(unavailable.retry_after),
            }
            continue
        code = (error.extensions or {}).get("code") or error_code(error)
        if code == ErrorCode.INTERNAL_SERVER_ERROR:
            request_id = incidents.report(
                original, f"GraphQL {_operation(execution_context)}", _redacted(execution_context)
            )
            error.message = incidents.client_message(request_id)
            error.extensions = {"code": code, "requestId": request_id}
            error.original_error = None
        elif isinstance(original, ValidationError):
            error.message = " ".join(original.messages)
        elif isinstance(original, ObjectDoesNotExist) and DJANGO_NOT_FOUND in error.message:
            error.message = NOT_FOUND_MESSAGE


def _operation(execution_context) -> str:
    name = getattr(execution_context, "operation_name", None)
    return f"operation {name}" if name else "an anonymous operation"


class _RedactStrings(Visitor):
    def enter_string_value(self, node, *_):
        return StringValueNode(value="[redacted]")


def _redacted(execution_context) -> str:
    """The document with every string literal replaced; variables are never logged."""
    document = getattr(execution_context, "graphql_document", None)
    return "" if document is None else print_ast(visit(document, _RedactStrings()))
