"""GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.

Strawberry's own view answers 200 to everything and never speaks
`application/graphql-response+json`; this view negotiates the media type and, for that type,
reports a request that could not be executed (bad JSON, bad parameters, a document that does
not parse or validate) with a 4xx status and no `data` entry. Clients that accept only
`application/json` keep the classic behaviour: 200 with an `errors` list.

Reads of task and project lists and details are answered from the cache when nothing they show
has changed (backend/core/graphql_cache.py), after authentication and rate limiting.
"""

import json
import logging

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from strawberry.django.context import StrawberryDjangoContext
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from backend.core import graphql_cache, ratelimit
from backend.core.authentication import CachedJWTAuthentication
from schema.limits import parsed_within_limits

logger = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class RequestError(Exception):
    """The request cannot be executed; `status` is used with graphql-response+json."""

    def __init__(self, message: str, status: int = 400, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _accepted_types(header: str) -> dict[str, float]:
    accepted = {}
    for part in header.split(","):
        media_type, *params = (piece.strip() for piece in part.split(";"))
        if not media_type:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[media_type.lower()] = quality
    return accepted


def negotiate(accept_header: str) -> str | None:
    """The response media type for an Accept header, or None when we can offer none."""
    if not accept_header.strip():
        return JSON
    accepted = _accepted_types(accept_header)
    graphql_q = accepted.get(GRAPHQL_RESPONSE, 0.0)
    json_q = max(
        accepted.get(JSON, 0.0), accepted.get("application/*", 0.0), accepted.get("*/*", 0.0)
    )
    if graphql_q > 0 and graphql_q >= json_q:
        return GRAPHQL_RESPONSE
    if json_q > 0:
        return JSON
    return None


class GraphQLView(View):
    """Serves the schema over GET and POST, and GraphiQL to browsers."""

    schema = None
    jwt_authentication = CachedJWTAuthentication()

    def __init__(self, schema, **kwargs):
        super().__init__(**kwargs)
        self.schema = schema

    @classmethod
    def as_view(cls, **initkwargs):
        # Exempt once here, as DRF's views are: `method_decorator` would wrap `dispatch` anew
        # on every request.
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if request.method == "GET" and "query" not in request.GET and _wants_html(request):
            return HttpResponse(render_to_string("graphql/graphiql.html", request=request))

        media_type = negotiate(request.headers.get("Accept", ""))
        if media_type is None:
            return HttpResponse(
                f"Acceptable media types: {GRAPHQL_RESPONSE}, {JSON}",
                status=406,
                content_type="text/plain; charset=utf-8",
            )
        try:
            if request.method not in ("GET", "POST"):
                raise RequestError(
                    "GraphQL is served over GET and POST.", 405, {"Allow": "GET, POST"}
                )
            authentication_error = self._authenticate(request)
            if authentication_error is not None:
                return authentication_error
            try:
                ratelimit.check_request(request)
            except ratelimit.RateLimited as limited:
                raise _too_many(limited) from None
            params = self._parameters(request)
            cached = graphql_cache.cached_response(request, params, parsed_within_limits)
            if cached is not None and cached.body is not None:
                return self._encoded(cached.body, media_type, status=200)
            result = self._execute(request, params)
            limited = _rate_limited(result)
            if limited is not None:
                raise _too_many(limited)
        except RequestError as error:
            return self._request_error(error, media_type)

        if media_type == GRAPHQL_RESPONSE and result.data is None and _is_request_error(result):
            body = process_result(result)
            body.pop("data", None)
            return self._json(body, GRAPHQL_RESPONSE, status=400)
        encoded = orjson.dumps(process_result(result))
        if cached is not None:
            cached.store(encoded, result)
        return self._encoded(encoded, media_type, status=200)

    def _authenticate(self, request) -> HttpResponse | None:
        """A Bearer token, when sent, must be valid: a bad one is a 401, never anonymity."""
        header = request.headers.get("Authorization")
        if not header:
            return None
        try:
            authenticated = self.jwt_authentication.authenticate(request)
        except (InvalidToken, AuthenticationFailed) as error:
            return self._unauthorized(_token_error_message(error))
        if authenticated is None:
            return self._unauthorized("The Authorization header must be 'Bearer <access token>'.")
        request.user = authenticated[0]
        return None

    def _unauthorized(self, message):
        response = self._json(
            {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]},
            JSON,
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response

    def _parameters(self, request) -> dict:
        if request.method == "GET":
            params = {name: request.GET.get(name) for name in ("query", "operationName")}
            for name in ("variables", "extensions"):
                raw = request.GET.get(name)
                params[name] = _decode_json(raw, name) if raw else None
        else:
            content_type = request.content_type or ""
            if content_type != JSON:
                raise RequestError(
                    f"Send the request as {JSON} (got {content_type or 'no content type'}).", 415
                )
            try:
                body = request.body
            except RequestDataTooBig:
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                raise RequestError(f"The request body is larger than {limit} bytes.", 413) from None
            if not body:
                raise RequestError("The request body is empty; send a JSON object with a query.")
            params = _decode_json(body, "body")
            if isinstance(params, list):
                raise RequestError("Batched requests are not supported; send one operation.")
            if not isinstance(params, dict):
                raise RequestError("The request body must be a JSON object.")
        if params.get("query") is None:
            raise RequestError("No GraphQL document found: the 'query' parameter is missing.")
        for name, kind, description in (
            ("query", str, "a string"),
            ("operationName", str, "a string or null"),
            ("variables", dict, "an object or null"),
            ("extensions", dict, "an object or null"),
        ):
            value = params.get(name)
            if value is not None and not isinstance(value, kind):
                raise RequestError(f"The '{name}' parameter must be {description}.")
        return params

    def _execute(self, request, params):
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed = {OperationType.QUERY, OperationType.MUTATION}
        try:
            return self.schema.execute_sync(
                params["query"],
                variable_values=params.get("variables"),
                context_value=StrawberryDjangoContext(request=request, response=HttpResponse()),
                operation_name=params.get("operationName"),
                allowed_operation_types=allowed,
                operation_extensions=params.get("extensions"),
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise RequestError(
                    "Subscriptions are served over WebSocket (graphql-transport-ws or graphql-ws)."
                ) from None
            raise RequestError(
                f"{error.operation_type.value.capitalize()}s are only served over POST.",
                405,
                {"Allow": "POST"},
            ) from None
        except MissingQueryError:
            raise RequestError("No GraphQL document found in the request.") from None
        except CannotGetOperationTypeError as error:
            raise RequestError(error.as_http_error_reason()) from None

    def _request_error(self, error: RequestError, media_type: str):
        body = {"errors": [{"message": str(error)}]}
        # Not a well-formed GraphQL request: a 4xx whatever the media type (the spec's rule for
        # application/json too; only parse and validation failures keep 200 for those clients).
        response = self._json(body, media_type, status=error.status)
        for name, value in error.headers.items():
            response[name] = value
        return response

    @classmethod
    def _json(cls, body, media_type, status):
        return cls._encoded(orjson.dumps(body), media_type, status)

    @staticmethod
    def _encoded(body: bytes, media_type, status):
        return HttpResponse(body, status=status, content_type=f"{media_type}; charset=utf-8")


def _too_many(limited: ratelimit.RateLimited) -> RequestError:
    """Over a rate limit (the REST layer's, per user or address) the request is a 429."""
    return RequestError(str(limited), 429, {"Retry-After": limited.retry_after})


def _rate_limited(result) -> ratelimit.RateLimited | None:
    """A resolver refused by a rate limit (sign-in attempts) makes the response a 429."""
    for error in result.errors or []:
        if isinstance(getattr(error, "original_error", None), ratelimit.RateLimited):
            return error.original_error
    return None


def _wants_html(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept


def _decode_json(raw, name):
    what = "request body" if name == "body" else f"'{name}' parameter"
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise RequestError(f"The {what} is not valid JSON.") from None
    except RecursionError:
        # A few kilobytes of `[[[[...` exhaust Python's stack in the JSON decoder.
        raise RequestError(f"The {what} nests too deeply.") from None


def _is_request_error(result) -> bool:
    """Parse and validation errors carry no path: nothing was executed."""
    return bool(result.errors) and all(
        isinstance(error, GraphQLError) and not error.path for error in result.errors
    )


def _token_error_message(error) -> str:
    detail = error.detail
    if isinstance(detail, dict):
        detail = detail.get("detail", "Token is invalid or expired")
    return f"{detail}. Sign in again or refresh the token."
