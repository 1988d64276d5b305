"""One exception handler for the REST layer: every error is
{"error": ..., "code": ..., "field_errors": {...}}, `code` from backend.platform.errors.ErrorCode.

Services raise Django's ValidationError (400; ConflictError is 409, InvalidCredentials 401),
PermissionDenied (403) and DoesNotExist (404: a forbidden object is never told apart from a
missing one), as backend.platform.errors.REFUSALS lists them for every door. A body over
DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF's JSON parser enforces through Django, is a 413; a
service that cannot be reached, a 503 with Retry-After (backend/platform/outages.py). Anything
else is unexpected: a 500 in the same shape, naming only the request id it was logged under.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from backend.platform import incidents
from backend.platform.errors import (
    NOT_FOUND_MESSAGE,
    ConflictError,
    ErrorCode,
    InvalidCredentials,
    TooLargeError,
    code_for_status,
)
from backend.platform.outages import ServiceUnavailable, as_unavailable
from backend.platform.ratelimit import RateLimited

NON_FIELD_KEYS = {NON_FIELD_ERRORS, api_settings.NON_FIELD_ERRORS_KEY}


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the server accepts."
    default_code = "request_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object changed since you read it."
    default_code = "conflict"


class Unavailable(exceptions.APIException):
    """A service Stride needs is down (backend/platform/outages.py); DRF sends `wait` as
    Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"

    def __init__(self, unavailable: ServiceUnavailable):
        super().__init__(str(unavailable))
        self.wait = int(unavailable.retry_after)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object no longer matches the If-Match header: read it again."
    default_code = "precondition_failed"


def _as_api_exception(exc):
    if isinstance(exc, TooLargeError):
        return RequestTooLarge(as_serializer_error(exc))
    if isinstance(exc, ConflictError):
        return Conflict(as_serializer_error(exc))
    if isinstance(exc, InvalidCredentials):
        return exceptions.AuthenticationFailed(" ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return exceptions.NotFound(NOT_FOUND_MESSAGE)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, RateLimited):
        return exceptions.Throttled(exc.wait, detail=str(exc))
    unavailable = as_unavailable(exc)
    if unavailable is not None:
        return Unavailable(unavailable)
    return exc


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _field_errors(detail: dict, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors flattened to dotted names: `{"tasks.0.title": [...]}`."""
    errors = {}
    for name, value in detail.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            errors.update(_field_errors(value, f"{key}."))
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                if item:
                    errors.update(_field_errors(item, f"{key}.{index}."))
        else:
            errors[key] = _messages(value)
    return errors


def error_body(detail, fallback: str) -> dict:
    """The error shape for a DRF `detail` (a message, a list, or a dict of field errors)."""
    if not isinstance(detail, dict):
        messages = _messages(detail)
        return {"error": " ".join(messages) or fallback, "field_errors": {}}
    general = [message for key in NON_FIELD_KEYS for message in _messages(detail.get(key, []))]
    fields = {key: value for key, value in detail.items() if key not in NON_FIELD_KEYS}
    field_errors = _field_errors(fields)
    if general:
        error = " ".join(general)
    elif len(field_errors) == 1:
        ((name, messages),) = field_errors.items()
        error = f"{name}: {' '.join(messages)}"
    else:
        error = fallback
    return {"error": error, "field_errors": field_errors}


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's status codes and headers, our body."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        request = context.get("request")
        where = f"{request.method} {request.path}" if request is not None else "the REST API"
        request_id = incidents.report(exc, where)
        set_rollback()
        body = {
            "error": incidents.client_message(request_id),
            "code": ErrorCode.INTERNAL_SERVER_ERROR,
            "field_errors": {},
        }
        # X-Request-ID, the same id, is on every answer (backend/platform/request_ids.py).
        return Response(body, status=500)
    detail = exc.detail
    if isinstance(detail, dict) and not isinstance(
        exc, exceptions.ValidationError | Conflict | RequestTooLarge
    ):
        # e.g. simplejwt's token errors: {"detail": ..., "code": ..., "messages": [...]}
        detail = detail.get("detail", "")
    fallback = "Some fields are invalid." if response.status_code == 400 else "Request failed."
    code = (
        ErrorCode.BAD_REQUEST
        if isinstance(exc, exceptions.ParseError)
        else code_for_status(response.status_code)
    )
    response.data = {**error_body(detail, fallback), "code": code}
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's error shape, not an HTML page, for every
    method (without the exemption, a POST would meet the CSRF check's HTML 403 first).

    A known endpoint asked for without its trailing slash is redirected to it (GET, HEAD) or
    named in the error: a redirect would lose the body of any other method.
    """
    error = "No such endpoint."
    if not request.path.endswith("/"):
        slashed = f"{request.path}/"
        match = resolve_or_none(f"{request.path_info}/")
        if match is not None and match.func is not not_found:
            if request.method in ("GET", "HEAD"):
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(f"{slashed}?{query}" if query else slashed)
            error = f"No such endpoint; did you mean {slashed}?"
    return JsonResponse(
        {"error": error, "code": ErrorCode.NOT_FOUND, "field_errors": {}},
        status=status.HTTP_404_NOT_FOUND,
    )


def resolve_or_none(path: str):
    try:
        return resolve(path)
    except Resolver404:
        return None
