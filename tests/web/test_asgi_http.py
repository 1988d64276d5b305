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
    return start["status"], {name.lower(): value for name, value in start["headers"]}, content


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
    assert headers[b"content-type"] == b"application/json"
    assert b"error" in body


def graphql_post(query: str, token: bytes | None = None) -> dict:
    headers = [(b"content-type", b"application/json")]
    if token is not None:
        headers.append((b"authorization", token))
    return {"method": "POST", "body": json.dumps({"query": query}).encode(), "headers": headers}


@pytest.fixture
def executions(monkeypatch):
    """The GraphQL operations executed (in a worker thread), not answered from the cache."""
    from schema.view import GraphQLEndpoint

    executed = []
    execute = GraphQLEndpoint._execute

    def recorded(self, request, token, params, media_type):
        executed.append(params["query"])
        return execute(self, request, token, params, media_type)

    monkeypatch.setattr(GraphQLEndpoint, "_execute", recorded)
    return executed


@pytest.mark.django_db(transaction=True)
async def test_a_repeated_read_is_answered_from_the_cache_without_executing(
    alice_token, task, executions
):
    query = "{ tasks { totalCount results { title } } }"
    first = await call("/graphql/", **graphql_post(query, alice_token))
    second = await call("/graphql/", **graphql_post(query, alice_token))

    assert first[0] == second[0] == 200
    assert first[2] == second[2]
    assert json.loads(second[2])["data"]["tasks"]["totalCount"] == 1
    assert executions == [query]


@pytest.mark.django_db(transaction=True)
async def test_a_bad_token_is_refused_before_anything_runs(db, executions):
    status, headers, body = await call("/graphql/", **graphql_post("{ me { id } }", b"Bearer x.y"))

    assert status == 401
    assert headers[b"www-authenticate"] == b'Bearer error="invalid_token"'
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert executions == []


@pytest.mark.django_db(transaction=True)
async def test_answers_carry_the_security_headers(alice_token):
    _, headers, _ = await call("/graphql/", **graphql_post("{ __typename }", alice_token))

    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"x-frame-options"] == b"DENY"
    assert headers[b"content-type"] == b"application/json; charset=utf-8"


@pytest.mark.django_db(transaction=True)
async def test_a_body_over_the_upload_limit_is_413(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    request = graphql_post("{ __typename }" + " " * 200)
    status, _, body = await call("/graphql/", **request)

    assert status == 413
    assert "larger than 100 bytes" in json.loads(body)["errors"][0]["message"]


@pytest.mark.django_db(transaction=True)
async def test_browsers_get_graphiql(db):
    status, headers, body = await call("/graphql/", headers=[(b"accept", b"text/html")])

    assert status == 200
    assert headers[b"content-type"].startswith(b"text/html")
    assert b"graphiql" in body


@pytest.mark.django_db(transaction=True)
async def test_django_reads_the_body_and_the_query_string(alice):
    """Other paths go to Django's WSGI handler, one worker-thread call each
    (backend/wsgi_under_asgi.py)."""
    login = json.dumps({"username": "alice", "password": "pw-for-tests-1"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(login))]
    status, _, body = await call("/api/users/login/", method="POST", body=login, headers=headers)
    assert status == 200
    access = json.loads(body)["tokens"]["access"].encode()

    authorization = [(b"authorization", b"Bearer " + access)]
    status, _, body = await call("/api/tasks/?page_size=0", headers=authorization)
    assert status == 400
    assert "page_size" in json.loads(body)["field_errors"]


FRONTEND = b"http://localhost:3000"
PREFLIGHT = [
    (b"origin", FRONTEND),
    (b"access-control-request-method", b"POST"),
    (b"access-control-request-headers", b"authorization, content-type"),
]


@pytest.fixture
def frontend_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND.decode()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/graphql/", "/api/tasks/"])
async def test_a_page_of_an_allowed_origin_may_call_the_api(frontend_allowed, alice_token, path):
    status, headers, _ = await call(path, method="OPTIONS", headers=PREFLIGHT)
    assert status == 200
    assert headers[b"access-control-allow-origin"] == FRONTEND
    assert b"POST" in headers[b"access-control-allow-methods"]
    allowed = headers[b"access-control-allow-headers"].lower()
    assert b"authorization" in allowed and b"content-type" in allowed

    request = graphql_post("{ me { username } }", alice_token)
    request["headers"].append((b"origin", FRONTEND))
    status, headers, body = await call("/graphql/", **request)
    assert status == 200 and json.loads(body)["data"]["me"]["username"] == "alice"
    assert headers[b"access-control-allow-origin"] == FRONTEND
    assert b"Origin" in headers[b"vary"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "method", "header"),
    [
        ("/api/tasks/1/", b"PATCH", b"if-match"),
        ("/api/data/ingest/", b"POST", b"idempotency-key"),
        ("/graphql/", b"POST", b"x-request-id"),
    ],
)
async def test_a_browser_may_send_the_headers_of_locking_retries_and_tracing(
    frontend_allowed, path, method, header
):
    preflight = [
        (b"origin", FRONTEND),
        (b"access-control-request-method", method),
        (b"access-control-request-headers", header),
    ]
    status, headers, _ = await call(path, method="OPTIONS", headers=preflight)
    assert status == 200
    assert header in headers[b"access-control-allow-headers"].lower().split(b", ")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/graphql/", "/api/tasks/"])
async def test_a_browser_may_read_the_etag_location_retry_after_and_request_id(
    frontend_allowed, alice_token, path
):
    request = graphql_post("{ me { username } }", alice_token)
    request["headers"].append((b"origin", FRONTEND))
    if path != "/graphql/":
        request = {"headers": request["headers"]}
    _, headers, _ = await call(path, **request)
    exposed = headers[b"access-control-expose-headers"].lower().split(b", ")
    assert {b"etag", b"location", b"retry-after", b"x-request-id"} <= set(exposed)


@pytest.mark.django_db(transaction=True)
async def test_a_page_of_another_origin_gets_no_cors_headers(frontend_allowed, alice_token):
    evil = [(b"origin", b"http://evil.example"), *PREFLIGHT[1:]]
    _, headers, _ = await call("/graphql/", method="OPTIONS", headers=evil)
    assert b"access-control-allow-origin" not in headers
    request = graphql_post("{ me { username } }", alice_token)
    request["headers"].append((b"origin", b"http://evil.example"))
    _, headers, _ = await call("/graphql/", **request)
    assert b"access-control-allow-origin" not in headers


def test_make_run_allows_the_usual_local_front_ends_and_production_none():
    from backend.settings import LOCAL_FRONTEND_ORIGINS

    assert "http://localhost:3000" in LOCAL_FRONTEND_ORIGINS
    assert "http://127.0.0.1:5173" in LOCAL_FRONTEND_ORIGINS
