"""The ASGI application as operators see it: a request id, a log line and metrics for every HTTP
request and WebSocket, whichever application answers it (GraphQL's own, Django, Channels).

It wraps the whole ASGI router (backend/asgi.py), so it sees /graphql/, which is served before
Django's middleware. Each HTTP request is logged once, on `stride.access`, when its answer has
been sent: method, path without its query string (which may carry a token), status, duration.
"""

import functools
import logging
import re
import time

from django.conf import settings
from django.urls import Resolver404, resolve

from backend.platform import metrics, request_ids

logger = logging.getLogger("stride.access")

_HEADER = request_ids.HEADER.lower().encode()
UNMATCHED = "(unmatched)"
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


# Resolving costs ~25 us; the hot paths (/graphql/, lists) are few.
@functools.lru_cache(maxsize=1024)
def route_of(path: str) -> str:
    """The URL pattern `path` matched (`/api/tasks/<int:pk>/`): a label of bounded cardinality."""
    static = "/" + settings.STATIC_URL.lstrip("/")
    if path.startswith(static):
        return static
    try:
        route = resolve(path).route
    except Resolver404:
        return UNMATCHED
    # DRF's routers write regular expressions: `tasks/(?P<pk>[^/.]+)/$` reads `tasks/<pk>/`.
    return "/" + _NAMED_GROUP.sub(r"<\1>", route).removesuffix("$")


def _header(scope, name: bytes) -> str | None:
    for raw_name, raw_value in scope.get("headers", ()):
        if raw_name.lower() == name:
            return raw_value.decode("latin1")
    return None


class Observed:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.application(scope, receive, send)

    async def _http(self, scope, receive, send):
        started = time.perf_counter()
        token = request_ids.begin(_header(scope, _HEADER))
        request_id = request_ids.current()
        status = 500  # what the server answers when the application fails before answering

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                if not any(name.lower() == _HEADER for name, _ in headers):
                    headers.append((_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.application(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"] if scope["method"] in metrics.HTTP_METHODS else "other"
            route = route_of(scope["path"])
            metrics.HTTP_REQUESTS.labels(route, method, str(status)).inc()
            metrics.HTTP_LATENCY.labels(route, method).observe(elapsed)
            logger.info(
                "%s %s %s %.1f ms",
                scope["method"],
                scope["path"],
                status,
                elapsed * 1000,
                extra={"route": route, "status": status, "duration_ms": round(elapsed * 1000, 1)},
            )
            metrics.read_pool()
            request_ids.end(token)

    async def _websocket(self, scope, receive, send):
        token = request_ids.begin(_header(scope, _HEADER))
        endpoint = scope["path"]
        accepted_at = None

        async def send_watched(message):
            nonlocal accepted_at
            if message["type"] == "websocket.accept":
                accepted_at = time.perf_counter()
                metrics.WEBSOCKETS_OPEN.labels(endpoint).inc()
                metrics.WEBSOCKET_CONNECTIONS.labels(endpoint).inc()
                logger.info("WebSocket %s open", endpoint)
            await send(message)

        try:
            await self.application(scope, receive, send_watched)
        finally:
            if accepted_at is not None:
                metrics.WEBSOCKETS_OPEN.labels(endpoint).dec()
                logger.info(
                    "WebSocket %s closed after %.1f s", endpoint, time.perf_counter() - accepted_at
                )
            request_ids.end(token)
