"""GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.

Strawberry's views answer 200 to everything and never speak `application/graphql-response+json`;
this endpoint negotiates the media type and, for that type, answers a request that could not be
executed (bad JSON or parameters, a document that does not parse or validate) with a 4xx and no
`data`. An answer cached for this user and request is sent from the event loop, with no thread
and no database (schema/response_cache.py).

Only the Bearer token authenticates (a bad one is a 401, never anonymity): the endpoint is exempt
from CSRF, so a session cookie would let any web page act for its visitor. Under ASGI it is its
own application (`GraphQLApp`), routed before Django's middleware, whose headers it sets itself.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt
from graphql import GraphQLError
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.models import TokenUser
from strawberry.django.context import StrawberryDjangoContext
from strawberry.exceptions import MissingQueryError
from strawberry.http import process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from backend.platform import authentication, outages, ratelimit, redis
from backend.platform.errors import ErrorCode, code_for_status
from schema import operation_metrics, persisted_queries, response_cache
from schema.http_requests import (
    GRAPHQL_RESPONSE,
    JSON,
    RequestError,
    check_operation,
    check_parameters,
    negotiate,
    parameters,
)


@dataclass
class GraphQLRequest:
    """What the endpoint and the resolvers read of an HTTP request, from ASGI or Django alike
    (`info.context.request`)."""

    method: str
    headers: dict[str, str]  # names in lower case
    query_params: QueryDict
    body: bytes | None  # None when over DATA_UPLOAD_MAX_MEMORY_SIZE
    # The client's address and headers as Django names them, for the rate limits.
    META: dict
    user: object = field(default_factory=AnonymousUser)
    cache_policy: response_cache.CachePolicy | None = None

    @classmethod
    def from_scope(cls, scope: dict, body: bytes | None) -> "GraphQLRequest":
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin1").lower(), raw_value.decode("latin1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        meta["REMOTE_ADDR"] = (scope.get("client") or ("",))[0]
        return cls(scope["method"], headers, QueryDict(scope["query_string"]), body, meta)

    @classmethod
    def from_django(cls, request) -> "GraphQLRequest":
        try:
            body = request.body
        except RequestDataTooBig:
            body = None
        headers = {name.lower(): value for name, value in request.headers.items()}
        return cls(request.method, headers, request.GET, body, request.META)


@dataclass
class Answer:
    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


class GraphQLEndpoint:
    """Serves a schema over GET and POST, and GraphiQL to browsers."""

    def __init__(self, schema):
        self.schema = schema

    async def respond(self, request: GraphQLRequest, in_thread: Callable) -> Answer:
        """The answer to `request`; `in_thread(function)` runs `function` where the ORM may
        be used (a worker thread), as an awaitable."""
        cors = _cors_headers(request)
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            return Answer(200, b"", "text/plain", cors)
        answer = await self._respond(request, in_thread)
        answer.headers.update(cors)
        return answer

    async def _respond(self, request: GraphQLRequest, in_thread: Callable) -> Answer:
        wants_page = "text/html" in request.headers.get("accept", "")
        if request.method == "GET" and "query" not in request.query_params and wants_page:
            return Answer(200, render_to_string("graphql/graphiql.html").encode(), "text/html")
        media_type = negotiate(request.headers.get("accept", ""))
        if media_type is None:
            message = f"Acceptable media types: {GRAPHQL_RESPONSE}, {JSON}"
            return Answer(406, message.encode(), "text/plain")
        try:
            if request.method not in ("GET", "POST"):
                raise RequestError(
                    "GraphQL is served over GET and POST.", 405, {"Allow": "GET, POST"}
                )
            token = _token(request)
            if token is not None:
                # Who is asking, for the rate limit and the cache: the token proves it.
                request.user = TokenUser(token)
            params = parameters(request)
            if isinstance(params, list):
                return await self._batch(request, token, params, media_type, in_thread)
            return await self._one(request, token, params, media_type, in_thread)
        except RequestError as error:
            return _refusal(error, media_type)
        except AuthenticationFailed as error:
            return _unauthorized(_token_error_message(error))
        except Exception as error:
            # Outside execution: the user's row read for the token, the response cache.
            unavailable = outages.as_unavailable(error)
            if unavailable is None:
                raise
            return _refusal(_unavailable(unavailable), media_type)

    async def _one(self, request, token, params: dict, media_type: str, in_thread) -> Answer:
        """One operation: a persisted document looked up, the rate limit, the cache, execution."""
        try:
            await persisted_queries.resolve(params)
        except persisted_queries.PersistedQueryError as error:
            raise RequestError(str(error), error.status, code=error.code) from None
        check_operation(params)
        try:
            await ratelimit.acheck_request(request)
        except ratelimit.RateLimited as limited:
            raise _too_many(limited) from None
        cached = await response_cache.cached_answer(
            request.user.id if token is not None else None, params
        )
        if cached is not None:
            operation_metrics.count_cached(params)
            return Answer(200, cached, media_type)
        return await in_thread(self._execute)(request, token, params, media_type)

    async def _batch(self, request, token, batch: list, media_type: str, in_thread) -> Answer:
        """Apollo's BatchHttpLink: an array of operations answered by an array of results, in
        order, each run as if sent alone (its own rate-limit count, cache entry and errors)."""
        if not 1 <= len(batch) <= settings.GRAPHQL_MAX_BATCH_SIZE:
            raise RequestError(
                f"A batch holds 1 to {settings.GRAPHQL_MAX_BATCH_SIZE} operations, "
                f"got {len(batch)}."
            )
        bodies = []
        for params in batch:
            try:
                if not isinstance(params, dict):
                    raise RequestError("Each operation of a batch must be a JSON object.")
                check_parameters(params)
                answer = await self._one(request, token, params, JSON, in_thread)
            except RequestError as error:
                answer = _refusal(error, JSON)
            bodies.append(answer.body)
        return Answer(200, b"[" + b",".join(bodies) + b"]", media_type)

    def _execute(self, request: GraphQLRequest, token, params: dict, media_type: str) -> Answer:
        if token is not None:
            request.user = authentication.user_of(token)
        pending = response_cache.pending_answer(request, params)
        result = self._run(request, params)
        for error in result.errors or []:
            # A resolver refused by a rate limit (sign-in attempts) makes the response a 429.
            if isinstance(getattr(error, "original_error", None), ratelimit.RateLimited):
                raise _too_many(error.original_error)
            # One that met a service down (schema/errors.py named it) makes it a 503.
            unavailable = outages.as_unavailable(getattr(error, "original_error", None))
            if unavailable is not None:
                raise _unavailable(unavailable)
        if media_type == GRAPHQL_RESPONSE and result.data is None and _is_request_error(result):
            body = process_result(result)
            body.pop("data", None)
            return Answer(400, orjson.dumps(body), media_type)
        encoded = orjson.dumps(process_result(result))
        if pending is not None:
            pending.store(encoded, result)
        return Answer(200, encoded, media_type)

    def _run(self, request: GraphQLRequest, params: dict):
        allowed = {OperationType.QUERY}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        try:
            return self.schema.execute_sync(
                params["query"],
                variable_values=params.get("variables"),
                context_value=StrawberryDjangoContext(request=request, response=None),
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


def _token(request: GraphQLRequest):
    """The verified access token of the Authorization header; None without the header."""
    header = request.headers.get("authorization")
    return None if header is None else authentication.bearer_access_token(header)


def _is_request_error(result) -> bool:
    """Parse and validation errors carry no path: nothing was executed."""
    return bool(result.errors) and all(
        isinstance(error, GraphQLError) and not error.path for error in result.errors
    )


def _refusal(error: "RequestError", media_type: str) -> Answer:
    # A 400 here is a request that is not GraphQL over HTTP, not a refused value.
    code = error.code or (
        ErrorCode.BAD_REQUEST if error.status == 400 else code_for_status(error.status)
    )
    extensions = {"code": code}
    if "Retry-After" in error.headers:
        extensions["retryAfter"] = int(error.headers["Retry-After"])
    body = orjson.dumps({"errors": [{"message": str(error), "extensions": extensions}]})
    # Not a well-formed GraphQL request: a 4xx whatever the media type (the spec's rule for
    # application/json too; only parse and validation failures keep 200 for those).
    return Answer(error.status, body, media_type, error.headers)


def _too_many(limited: ratelimit.RateLimited) -> RequestError:
    """Over a rate limit (the REST layer's, per user or address) the request is a 429."""
    return RequestError(str(limited), 429, {"Retry-After": limited.retry_after})


def _unavailable(unavailable: outages.ServiceUnavailable) -> RequestError:
    return RequestError(
        str(unavailable), 503, {"Retry-After": unavailable.retry_after}, code=unavailable.code
    )


def _unauthorized(message: str) -> Answer:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return Answer(
        401, orjson.dumps(body), JSON, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


def _token_error_message(error) -> str:
    detail = error.detail
    if isinstance(detail, dict):
        detail = detail.get("detail", "Token is invalid or expired")
    return f"{str(detail).rstrip('.')}. Sign in again or refresh the token."


def _cors_headers(request: GraphQLRequest) -> dict[str, str]:
    """CORS for a page of an allowed origin, by django-cors-headers' settings (its middleware
    does the same for the rest of the site; this endpoint is served before Django's)."""
    origin = request.headers.get("origin")
    if origin is None:
        return {}
    if not (settings.CORS_ALLOW_ALL_ORIGINS or origin in settings.CORS_ALLOWED_ORIGINS):
        return {"Vary": "Origin"}
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    if request.method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        headers["Access-Control-Allow-Headers"] = ", ".join(settings.CORS_ALLOW_HEADERS)
        headers["Access-Control-Max-Age"] = str(settings.CORS_PREFLIGHT_MAX_AGE)
    else:
        headers["Access-Control-Expose-Headers"] = ", ".join(settings.CORS_EXPOSE_HEADERS)
    return headers


def _security_headers() -> dict[str, str]:
    """What Django's SecurityMiddleware and XFrameOptionsMiddleware add to an answer."""
    headers = {}
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers["X-Content-Type-Options"] = "nosniff"
    if settings.SECURE_REFERRER_POLICY:
        headers["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return headers


class GraphQLApp:
    """The endpoint as an ASGI application, for Uvicorn (or any ASGI server)."""

    def __init__(self, schema):
        self.endpoint = GraphQLEndpoint(schema)

    async def __call__(self, scope, receive, send):
        body = await _read_body(receive, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        request = GraphQLRequest.from_scope(scope, body)
        answer = await self.endpoint.respond(request, _with_the_database)
        headers = {**_security_headers(), **answer.headers, "Content-Type": answer.content_type}
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                # ASGI wants header names in lower case.
                "headers": [
                    (name.lower().encode(), value.encode()) for name, value in headers.items()
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.body})


def _with_the_database(function):
    # Not thread-sensitive: requests run side by side on the pool's threads; the thread's
    # connection goes back to the pool when the function ends.
    return database_sync_to_async(function, thread_sensitive=False)


async def _read_body(receive, limit: int | None) -> bytes | None:
    """The request body; None when it is longer than `limit` (the rest is not kept)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is None or size <= limit:
            chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks) if limit is None or size <= limit else None


def graphql_view(schema):
    """The endpoint as a Django view (WSGI servers, Django's test client)."""
    endpoint = GraphQLEndpoint(schema)

    @csrf_exempt
    async def view(request):
        try:
            # Thread-sensitive: the ORM work runs in the request's own thread, as in any view.
            answer = await endpoint.respond(GraphQLRequest.from_django(request), sync_to_async)
        finally:
            # This event loop was made for this request and ends with it.
            await redis.close_async_client()
        response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
        for name, value in answer.headers.items():
            response[name] = value
        return response

    return view
