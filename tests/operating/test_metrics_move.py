"""The counters move with real requests through a real server: GraphQL over HTTP (executed and
from the response cache), REST, pages, WebSockets and the events they are sent."""

import json
import time

import pytest
from websockets.sync.client import connect

from backend.accounts.services import tokens_for
from tests.conftest import operation
from tests.live_server import LiveServer
from tests.operating.support import graphql, http, samples, total, value

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(transactional_db):
    live = LiveServer().start()
    try:
        yield live.url
    finally:
        live.stop()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_http_graphql_and_cache_metrics_move(server, alice, bob, task):
    token = str(tokens_for(bob).access_token)
    before = samples(server)

    graphql(server, "tasks", token)
    graphql(server, "tasks", token)  # the same again: from the response cache
    status, _, _ = http(f"{server}/api/tasks/", headers={"Authorization": f"Bearer {token}"})
    assert status == 200
    status, _, _ = http(
        f"{server}/api/tasks/{task.id}/", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200
    assert http(f"{server}/no/such/page/")[0] == 404

    after = samples(server)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "stride_http_requests_total"
    assert moved(requests, route="/graphql/", method="POST", status="200") == 2
    assert moved(requests, route="/api/tasks/", method="GET", status="200") == 1
    assert moved(requests, route="/api/tasks/<pk>/", method="GET", status="200") == 1
    assert moved(requests, route="(unmatched)", method="GET", status="404") == 1
    assert (
        moved("stride_http_request_duration_seconds_count", route="/graphql/", method="POST") == 2
    )

    operations = "stride_graphql_operations_total"
    assert moved(operations, operation="tasks", type="query", outcome="ok") == 1
    assert moved(operations, operation="tasks", type="query", outcome="cached") == 1
    assert moved("stride_cache_reads_total", cache="graphql:response", result="miss") >= 1
    assert moved("stride_cache_reads_total", cache="graphql:response", result="hit") == 1

    assert moved("stride_db_queries_total") > 0
    assert moved("stride_redis_commands_total", client="cache") > 0
    assert value(after, "stride_db_pool_connections", state="max") > 0
    assert any(name == "stride_celery_queue_length" for name, _ in after)


def test_websocket_metrics_move(server, alice, bob, task):
    bob_token = str(tokens_for(bob).access_token)
    alice_token = str(tokens_for(alice).access_token)
    endpoint = "/ws/notifications/"
    before = samples(server)
    address = server.removeprefix("http://")

    with connect(f"ws://{address}{endpoint}?token={bob_token}") as socket:
        opened = wait_for(
            lambda: (
                (found := samples(server))
                and value(found, "stride_websockets_open", endpoint=endpoint) == 1
                and found
            )
        )
        assert (
            value(opened, "stride_websocket_connections_total", endpoint=endpoint)
            - value(before, "stride_websocket_connections_total", endpoint=endpoint)
            == 1
        )
        graphql(
            server, "updateTask", alice_token, input={"id": task.id, "version": 1, "title": "Live"}
        )
        assert "Live" in socket.recv(timeout=10)
        delivered = samples(server)
        assert total(delivered, "stride_realtime_events_delivered_total") > total(
            before, "stride_realtime_events_delivered_total"
        )
        assert value(delivered, "stride_redis_commands_total", client="channel_layer") > 0

    wait_for(
        lambda: value(samples(server), "stride_websockets_open", endpoint=endpoint) == 0 or None
    )


def test_graphql_over_websocket_counts_its_operations(server, bob, task):
    token = str(tokens_for(bob).access_token)
    address = server.removeprefix("http://")
    labels = {"operation": "taskChanged", "type": "subscription", "outcome": "ok"}
    before = value(samples(server), "stride_graphql_operations_total", **labels)
    with connect(f"ws://{address}/graphql/", subprotocols=["graphql-transport-ws"]) as socket:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        socket.send(json.dumps(init))
        assert json.loads(socket.recv(timeout=10))["type"] == "connection_ack"
        subscribe = {"query": operation("taskChanged"), "operationName": "taskChanged"}
        socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        wait_for(
            lambda: value(samples(server), "stride_websockets_open", endpoint="/graphql/") == 1
        )
        socket.send(json.dumps({"id": "1", "type": "complete"}))
    wait_for(
        lambda: (
            value(samples(server), "stride_graphql_operations_total", **labels) == before + 1
            or None
        )
    )
