"""The request id: one per HTTP request, WebSocket connection or Celery task, on every log line.

It comes from the client's (or the balancer's) `X-Request-ID` when that is a short token of safe
characters, and is made up otherwise; every HTTP answer returns it in `X-Request-ID`. A task
enqueued while handling a request carries it (workers/observability.py), so the worker's lines
about that task carry the same id. An unexpected error is told to the client as this id
(backend/platform/incidents.py): the one to look for in the logs.
"""

import contextvars
import re
import uuid

HEADER = "X-Request-ID"
# Long enough for a UUID or a balancer's own ids; never a place to smuggle text into the logs.
_VALID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def new() -> str:
    return uuid.uuid4().hex


def accepted(value: str | None) -> str | None:
    """`value` when it may serve as a request id, else None."""
    return value if value is not None and _VALID.fullmatch(value) else None


def current() -> str | None:
    return _current.get()


def begin(incoming: str | None = None) -> contextvars.Token:
    """Make the incoming id (when acceptable) or a new one current; `end(token)` undoes it."""
    return _current.set(accepted(incoming) or new())


def end(token: contextvars.Token) -> None:
    _current.reset(token)


def current_or_new() -> str:
    """The current id; outside any request or task (a management command), a new one."""
    return _current.get() or new()


class RequestIdMiddleware:
    """The request id under a WSGI server or Django's test client, where no ASGI wrapper
    (backend/platform/observed.py) made one; under ASGI, the wrapper's id is kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = begin(request.headers.get(HEADER)) if current() is None else None
        try:
            response = self.get_response(request)
            response.setdefault(HEADER, current())
            return response
        finally:
            if token is not None:
                end(token)
