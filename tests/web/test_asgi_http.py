"""HTTP through the ASGI application (backend/asgi.py), as Uvicorn calls it."""

import asyncio
import json

import pytest

from backend.asgi import application
from tests.conftest import bearer_headers


async def call(path, *, method="GET", body=b"", headers=(), app=application):
    """One HTTP request to the ASGI application: (status, headers, body)."""
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []

    async def receive():
        if pending:
            return pending.pop()
        await asyncio.Event().wait()

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    assert start["type"] == "http.response.start"
    content = b"".join(message.get("body", b"") for message in sent[1:])
    return start["status"], dict(start["headers"]), content


@pytest.fixture
def alice_token(alice) -> bytes:
    # Made here, in the test's own thread: a connection opened in a helper thread would outlive
    # the test database.
    return bearer_headers(alice)["Authorization"].encode()


@pytest.mark.django_db(transaction=True)
async def test_a_graphql_request_is_answered(alice_token):
    query = json.dumps({"query": "{ me { username } }"}).encode()
    headers = [(b"content-type", b"application/json"), (b"authorization", alice_token)]
    status, _, body = await call("/graphql/", method="POST", body=query, headers=headers)

    assert status == 200
    assert json.loads(body) == {"data": {"me": {"username": "alice"}}}


@pytest.mark.django_db(transaction=True)
async def test_errors_are_answered_like_django_answers_them(alice):
    status, _, _ = await call("/no/such/page/")
    assert status == 404
    status, headers, body = await call("/api/tasks/", headers=[(b"accept", b"application/json")])
    assert status == 401
    assert headers[b"Content-Type"] == b"application/json"
    assert b"error" in body
