"""Redis killed under a live server (a private redis-server the test stops and starts again
empty), as the probes of issue 14 did: requests are still served from the database, rate limits
still count, and WebSockets are closed with 1013 (Try Again Later) and accepted again as soon as
Redis is back."""

import contextlib
import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from backend.accounts.services import tokens_for
from tests.faults import RedisServer
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

TRY_AGAIN_LATER = 1013
# Redis dies at once; the server may take its socket timeouts to notice.
NOTICE_SECONDS = 10


@pytest.fixture
def redis_server():
    with RedisServer() as server:
        yield server


@pytest.fixture
def server(redis_server):
    live = LiveServer(REDIS_URL=redis_server.url, THROTTLE_USER_RATE="6/min")
    live.start()
    try:
        yield live
    finally:
        live.stop()


def token(user) -> str:
    return str(tokens_for(user).access_token)


def _subscribed_sockets(stack, ws_url, alice_token):
    """The three kinds of socket, open and listening: the plain one, and a subscription over
    each GraphQL protocol."""
    query = {"query": "subscription { taskChanged { kind taskId } }"}
    plain = stack.enter_context(connect(f"{ws_url}/ws/notifications/?token={alice_token}"))
    transport = stack.enter_context(connect(f"{ws_url}/graphql/", subprotocols=[TRANSPORT_WS]))
    legacy = stack.enter_context(connect(f"{ws_url}/graphql/", subprotocols=[LEGACY_WS]))
    for ws, start in ((transport, "subscribe"), (legacy, "start")):
        ws.send(json.dumps(init_message(alice_token)))
        assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": start, "payload": query}))
    return {"plain": plain, TRANSPORT_WS: transport, LEGACY_WS: legacy}


def _close_code(ws, timeout) -> tuple[int, float]:
    """Read until the server closes the socket: (its close code, seconds waited)."""
    started = time.monotonic()
    try:
        while True:
            ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code, time.monotonic() - started


def test_sockets_close_with_try_again_later_and_reconnect_once_redis_is_back(
    server, redis_server, alice, bob, project
):
    with contextlib.ExitStack() as stack:
        _outage_and_return(stack, server, redis_server, alice, bob, project)


def _outage_and_return(stack, server, redis_server, alice, bob, project):
    ws_url = server.url.replace("http", "ws", 1)
    alice_token, bob_token = token(alice), token(bob)
    sockets = _subscribed_sockets(stack, ws_url, alice_token)
    time.sleep(1)  # the subscriptions join their groups

    redis_server.stop()
    for name, ws in sockets.items():
        code, seconds = _close_code(ws, NOTICE_SECONDS)
        assert (name, code) == (name, TRY_AGAIN_LATER)
        assert seconds < NOTICE_SECONDS, (name, seconds)

    # While Redis is down: a socket is refused with the same code, requests are served.
    code, _, _ = socket_exchange(f"{ws_url}/ws/notifications/?token={alice_token}")
    assert code == TRY_AGAIN_LATER
    query = {"query": "subscription { taskChanged { kind taskId } }"}
    _, received, _ = socket_exchange(
        f"{ws_url}/graphql/",
        subprotocol=TRANSPORT_WS,
        send=[init_message(alice_token), {"id": "1", "type": "subscribe", "payload": query}],
        until=lambda message: message["type"] in ("error", "next"),
    )
    # The subscription had started: its stream ends with an error in a result.
    assert received[-1]["type"] == "next", received
    (error,) = received[-1]["payload"]["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", error
    missed = {"title": "Missed", "projectId": str(project.id)}
    created = graphql(server.url, bob_token, "createTask", input=missed)
    assert created.status == 200 and "errors" not in created.json(), created
    assert (
        request(
            f"{server.url}/api/tasks/", headers={"Authorization": f"Bearer {alice_token}"}
        ).status
        == 200
    )
    health = request(f"{server.url}/api/health/")
    assert health.status == 200, health
    assert health.json()["status"] == "degraded", health
    down = {name for name, check in health.json()["checks"].items() if not check["ok"]}
    assert down == {"cache", "channel_layer", "broker"}

    # Back: a new socket is accepted at once and hears the next change.
    redis_server.start()
    with connect(f"{ws_url}/ws/notifications/?token={alice_token}", open_timeout=10) as plain:
        created = graphql(
            server.url,
            bob_token,
            "createTask",
            input={"title": "Heard", "projectId": str(project.id)},
        )
        assert created.status == 200, created
        event = json.loads(plain.recv(timeout=10))
        assert (event["type"], event["task"]["title"]) == ("task.created", "Heard")


def test_rate_limits_still_count_while_redis_is_down(server, redis_server, alice):
    redis_server.stop()
    alice_token = token(alice)
    statuses = [graphql(server.url, alice_token, "me").status for _ in range(8)]
    assert statuses == [200] * 6 + [429] * 2, statuses
    refused = graphql(server.url, alice_token, "me")
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
