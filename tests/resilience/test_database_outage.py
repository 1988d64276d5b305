"""PostgreSQL cut from under a live server (a TCP proxy the test drops), as the probes of issue 14
did: every front door refuses at once with 503 and Retry-After, health names the database, and
once it is back no request fails."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from backend.accounts.services import tokens_for
from tests.faults import TcpProxy
from tests.live_server import LiveServer
from tests.resilience.outage_client import (
    LEGACY_WS,
    TRANSPORT_WS,
    graphql,
    init_message,
    request,
    socket_exchange,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The answer must come before clients give up; a loaded machine gets no more than this.
REFUSAL_SECONDS = 2.0


@pytest.fixture
def proxy():
    with TcpProxy(target_port=int(connection.settings_dict["PORT"] or 5432)) as running:
        yield running


@pytest.fixture
def server(proxy):
    database = connection.settings_dict
    live = LiveServer(
        DATABASE_URL=f"postgres://{database['USER']}@127.0.0.1:{proxy.port}/{database['NAME']}",
    )
    live.start()
    try:
        yield live
    finally:
        proxy.restore()
        live.stop()


@pytest.fixture
def signed_in(alice, project):
    """alice's access token and a web session cookie, made before the cut."""
    client = Client()
    client.force_login(alice)
    return str(tokens_for(alice).access_token), client.cookies[settings.SESSION_COOKIE_NAME].value


def _doors(url, token, session, project_id):
    """One request per front door that needs the database, each as (name, Answer)."""
    bearer = {"Authorization": f"Bearer {token}"}
    task = {"title": "Written during the cut", "projectId": str(project_id)}
    return [
        ("graphql mutation", graphql(url, token, "createTask", input=task)),
        ("graphql query", graphql(url, token, "me")),
        ("rest list", request(f"{url}/api/tasks/", headers=bearer)),
        (
            "rest create",
            request(
                f"{url}/api/tasks/",
                method="POST",
                body={"title": "Written during the cut", "project_id": project_id},
                headers=bearer,
            ),
        ),
        (
            "web page",
            request(
                f"{url}/boards/", headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
            ),
        ),
    ]


def test_every_door_refuses_fast_during_the_cut_and_serves_after_it(
    server, proxy, signed_in, project
):
    token, session = signed_in
    url = server.url
    for name, answer in _doors(url, token, session, project.id):
        assert answer.status in (200, 201), (name, answer)  # the pool is warm before the cut

    proxy.cut()
    for name, answer in _doors(url, token, session, project.id):
        assert answer.status == 503, (name, answer)
        assert answer.seconds < REFUSAL_SECONDS, (name, answer.seconds)
        assert int(answer.headers.get("retry-after", 0)) >= 1, (name, answer.headers)
        if name.startswith("graphql"):
            (error,) = answer.json()["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", error
            assert error["extensions"]["retryAfter"] >= 1
            assert "data" not in answer.json()
        elif name.startswith("rest"):
            assert answer.json() == {
                "error": "The database is unavailable; try again in 5 seconds.",
                "code": "SERVICE_UNAVAILABLE",
                "field_errors": {},
            }
        else:
            assert answer.headers["content-type"].startswith("text/html")
            assert b"temporarily unavailable" in answer.body
        assert b"psycopg" not in answer.body and b"5432" not in answer.body, answer.body

    health = request(f"{url}/api/health/")
    assert health.status == 503 and health.seconds < 2 * REFUSAL_SECONDS + 1, health
    assert health.json()["status"] == "unavailable"
    assert health.json()["checks"]["database"]["ok"] is False
    assert all(health.json()["checks"][name]["ok"] for name in ("cache", "channel_layer"))

    proxy.restore()
    for _ in range(3):  # nine requests, as the probe sent
        for name, answer in _doors(url, token, session, project.id)[:3]:
            assert answer.status in (200, 201), (name, answer)
            assert "errors" not in answer.json(), (name, answer.json())
    assert request(f"{url}/api/health/").status == 200


def test_sockets_that_need_the_database_are_told_to_try_again_later(
    server, proxy, signed_in, project
):
    token, _ = signed_in
    ws_url = server.url.replace("http", "ws", 1)
    # The signed-in user is read from the cache: warmed before the cut.
    assert graphql(server.url, token, "me").status == 200
    proxy.cut()

    # The plain socket reads the user's projects before it opens.
    code, _, seconds = socket_exchange(f"{ws_url}/ws/notifications/?token={token}")
    assert (code, seconds < 2 * REFUSAL_SECONDS) == (1013, True)

    # A subscription that cannot start answers an error with the code, on both protocols.
    query = {"query": "subscription { taskChanged { kind taskId } }"}
    _, received, _ = socket_exchange(
        f"{ws_url}/graphql/",
        subprotocol=TRANSPORT_WS,
        send=[init_message(token), {"id": "1", "type": "subscribe", "payload": query}],
        until=lambda message: message["type"] == "error",
    )
    assert received[0] == {"type": "connection_ack"}, received
    assert received[1]["type"] == "error", received
    assert received[1]["payload"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"

    _, received, _ = socket_exchange(
        f"{ws_url}/graphql/",
        subprotocol=LEGACY_WS,
        send=[init_message(token), {"id": "1", "type": "start", "payload": query}],
        until=lambda message: message["type"] in ("error", "data"),
    )
    assert received[-1]["type"] == "error", received
    assert received[-1]["payload"]["extensions"]["code"] == "SERVICE_UNAVAILABLE"


def test_a_browser_socket_is_told_to_try_again_later(server, proxy, signed_in):
    # A browser's socket is signed in by its session, which is read from the database before
    # any consumer runs.
    _, session = signed_in
    proxy.cut()
    started = time.monotonic()
    with (
        connect(
            f"{server.url.replace('http', 'ws', 1)}/ws/notifications/",
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"},
            open_timeout=10,
        ) as ws,
        pytest.raises(ConnectionClosed) as closed,
    ):
        ws.recv(timeout=10)
    assert closed.value.rcvd.code == 1013
    assert time.monotonic() - started < 2 * REFUSAL_SECONDS


def test_sockets_that_cannot_authenticate_are_told_to_try_again_later(server, proxy, bob):
    # bob's row is not cached: reading it needs the database.
    token = str(tokens_for(bob).access_token)
    ws_url = server.url.replace("http", "ws", 1)
    proxy.cut()

    code, received, seconds = socket_exchange(
        f"{ws_url}/graphql/", subprotocol=TRANSPORT_WS, send=[init_message(token)]
    )
    assert (code, received, seconds < 2 * REFUSAL_SECONDS) == (1013, [], True)

    code, received, _ = socket_exchange(
        f"{ws_url}/graphql/", subprotocol=LEGACY_WS, send=[init_message(token)]
    )
    assert code == 1013
    assert received == [
        {
            "type": "connection_error",
            "payload": {
                "message": "The database is unavailable; try again in 5 seconds.",
                "code": "SERVICE_UNAVAILABLE",
            },
        }
    ]
