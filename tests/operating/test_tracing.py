"""With TRACING on (and requirements-tracing.txt installed), a request through the ASGI
application gives spans: the request's, Django's, SQL's and Redis's, in one trace."""

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.db import connection
from django.test import override_settings
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from backend.accounts.services import tokens_for
from backend.platform import tracing
from tests.conftest import operation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    with override_settings(TRACING=True):
        assert tracing.configure(exporter)
        # Connections opened from now on are traced: none from before.
        connection.close_pool()
        try:
            from backend.asgi import build_application

            yield exporter, build_application()
        finally:
            tracing.unconfigure()
            connection.close_pool()


async def request(application, path, *, body=b"", headers=()):
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST" if body else "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await communicator.receive_output(timeout=10)
    await communicator.receive_output(timeout=10)
    await communicator.wait(timeout=10)
    return start["status"]


def test_requests_make_spans_of_http_django_sql_and_redis(spans, alice, task):
    exporter, application = spans
    token = str(tokens_for(alice).access_token)
    authorization = (b"authorization", f"Bearer {token}".encode())

    body = json.dumps({"query": operation("tasks"), "operationName": "tasks"}).encode()
    graphql_status = async_to_sync(request)(
        application,
        "/graphql/",
        body=body,
        headers=[(b"content-type", b"application/json"), authorization],
    )
    rest_status = async_to_sync(request)(application, "/api/tasks/", headers=[authorization])
    assert (graphql_status, rest_status) == (200, 200)

    finished = exporter.get_finished_spans()
    servers = [span for span in finished if span.kind is SpanKind.SERVER]
    assert {
        span.attributes.get("http.target") or span.attributes.get("url.path") for span in servers
    } >= {
        "/graphql/",
        "/api/tasks/",
    }
    assert any(span.attributes.get("db.system") == "postgresql" for span in finished)
    assert any(span.attributes.get("db.system") == "redis" for span in finished)
    graphql_trace = next(
        span.context.trace_id
        for span in servers
        if (span.attributes.get("http.target") or span.attributes.get("url.path")) == "/graphql/"
    )
    sql_of_graphql = [
        span
        for span in finished
        if span.context.trace_id == graphql_trace
        and span.attributes.get("db.system") == "postgresql"
    ]
    assert sql_of_graphql, "the SQL of the GraphQL request is in its trace"


def test_tracing_is_off_by_default():
    assert tracing.configure() is False
    sentinel = object()
    assert tracing.traced(sentinel) is sentinel
