"""WebSocket clients for the realtime tests, speaking to the real ASGI application over the
Redis channel layer, and a way to wait until a socket has joined a group."""

import asyncio
import contextlib
import json
import time

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from backend.accounts.services import tokens_for
from backend.asgi import application
from backend.realtime.hub import hub_for
from tests.conftest import GraphQLClient, operation

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
# Long enough for a loaded 2-core machine, short enough that a missing message fails fast.
RECEIVE_TIMEOUT = 5


def access_token(user) -> str:
    return str(tokens_for(user).access_token)


async def token_of(user) -> str:
    """An access token, from async code (issuing one writes to the database)."""
    return await database_sync_to_async(access_token)(user)


async def client_of(user) -> GraphQLClient:
    return await database_sync_to_async(GraphQLClient)(user)


@pytest.fixture(scope="session", autouse=True)
def close_database_pool(django_db_setup):
    """Async tests reach the database from worker threads, whose connections wait in the
    psycopg pool; the test database can only be dropped once the pool is closed."""
    yield
    if hasattr(connection, "close_pool"):
        connection.close_pool()


@pytest.fixture(autouse=True)
def empty_channel_layer():
    """No group or message left over from another test, and a channel layer of its own: each
    test has its own event loop, and channels-redis keeps per-channel locks that a receive on a
    loop that has ended may leave held (its hub's, released by a task that never ran)."""
    channel_layers.set(DEFAULT_CHANNEL_LAYER, channel_layers.make_backend(DEFAULT_CHANNEL_LAYER))
    async_to_sync(get_channel_layer().flush)()
    yield
    async_to_sync(get_channel_layer().flush)()


_opened: list[WebsocketCommunicator] = []


@pytest.fixture(autouse=True)
async def close_sockets(empty_channel_layer):
    """Disconnect every socket a test opened, also those the server closed: the application
    behind each one waits for the disconnect, and a test must not leave it running."""
    yield
    while _opened:
        with contextlib.suppress(Exception):
            await _opened.pop().disconnect(timeout=RECEIVE_TIMEOUT)


def communicator(path: str, **kwargs) -> WebsocketCommunicator:
    opened = WebsocketCommunicator(application, path, **kwargs)
    _opened.append(opened)
    return opened


def group_size(group: str) -> int:
    layer_config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return client.zcard(f"{layer_config['prefix']}:group:{group}")
    finally:
        client.close()


async def wait_for_group(group: str, size: int = 1, timeout: float = RECEIVE_TIMEOUT) -> None:
    """Wait until `size` sockets are in `group`: a subscription has started listening."""
    deadline = time.monotonic() + timeout
    while (current := await sync_to_async(group_size)(group)) != size:
        if time.monotonic() > deadline:
            raise AssertionError(f"{group} has {current} members, expected {size}")
        await asyncio.sleep(0.02)


async def wait_for_listeners(group: str, count: int) -> None:
    """Wait until `count` subscriptions of this process listen to `group`."""
    hub = hub_for(get_channel_layer())
    deadline = time.monotonic() + RECEIVE_TIMEOUT
    while len(hub.members.get(group, ())) != count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{group} has {len(hub.members.get(group, ()))} listeners")
        await asyncio.sleep(0.02)


async def run(client, name, **variables):
    """Run a named GraphQL operation over HTTP (a real request through Django)."""
    return await database_sync_to_async(client.run)(name, **variables)


def _closing_connection(call):
    try:
        return call()
    finally:
        connection.close()


async def run_elsewhere(client, name, **variables):
    """`run`, on a database connection of its own: the SQL it costs stays out of
    `queries_of_sockets()`."""
    return await asyncio.to_thread(_closing_connection, lambda: client.run(name, **variables))


async def call_elsewhere(function, **kwargs):
    """Call `function` (a service, a worker's task) as `run_elsewhere` runs an operation."""
    return await asyncio.to_thread(_closing_connection, lambda: function(**kwargs))


@contextlib.asynccontextmanager
async def queries_of_sockets():
    """The SQL the sockets of this process run meanwhile, as a list of statements.

    Channels' `database_sync_to_async` (and strawberry-django's resolvers) run every query of
    the event loop in one thread, since no ThreadSensitiveContext is entered under Channels:
    that thread's connection is the one captured. Run what causes the events elsewhere
    (`run_elsewhere`), or its own SQL is counted too.
    """
    captured: list[str] = []
    capture = await database_sync_to_async(
        lambda: CaptureQueriesContext(connections["default"]).__enter__()
    )()
    try:
        yield captured
    finally:
        await database_sync_to_async(capture.__exit__)(None, None, None)
        captured.extend(query["sql"] for query in capture.captured_queries)


class GraphQLSocket:
    """A GraphQL WebSocket client for either protocol, over Channels' communicator."""

    def __init__(self, protocol=TRANSPORT_WS, *, headers=()):
        self.protocol = protocol
        self.communicator = communicator(
            "/graphql/", subprotocols=[protocol], headers=list(headers)
        )

    async def open(self, connection_params=None) -> dict:
        """Connect and send connection_init; returns the server's first answer."""
        connected, subprotocol = await self.communicator.connect(timeout=RECEIVE_TIMEOUT)
        assert connected, subprotocol
        assert subprotocol == self.protocol
        init = {"type": "connection_init"}
        if connection_params is not None:
            init["payload"] = connection_params
        await self.communicator.send_json_to(init)
        return await self.communicator.receive_output(timeout=RECEIVE_TIMEOUT)

    async def open_as(self, user) -> None:
        token = await token_of(user)
        answer = await self.open({"authorization": f"Bearer {token}"})
        assert answer == {"type": "websocket.send", "text": '{"type":"connection_ack"}'}, answer

    async def subscribe(self, operation_id: str, name: str, **variables) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        await self.communicator.send_json_to(
            {
                "id": operation_id,
                "type": kind,
                "payload": {"query": operation(name), "variables": variables},
            }
        )

    async def complete(self, operation_id: str) -> None:
        kind = "complete" if self.protocol == TRANSPORT_WS else "stop"
        await self.communicator.send_json_to({"id": operation_id, "type": kind})

    async def receive(self) -> dict:
        return await self.communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)

    async def next_data(self, operation_id: str) -> dict:
        """The `data` of the next result of that operation; fails on anything else."""
        message = await self.receive()
        expected = "next" if self.protocol == TRANSPORT_WS else "data"
        assert message["type"] == expected, message
        assert message["id"] == operation_id, message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def nothing_more(self) -> None:
        assert await self.communicator.receive_nothing(timeout=0.3), "unexpected message"

    async def close(self) -> None:
        await self.communicator.disconnect()


class NotificationSocket:
    """A client of the plain JSON socket /ws/notifications/."""

    def __init__(self, *, token=None, headers=()):
        path = "/ws/notifications/" + (f"?token={token}" if token is not None else "")
        self.communicator = communicator(path, headers=list(headers))

    async def open(self):
        return await self.communicator.connect(timeout=RECEIVE_TIMEOUT)

    async def receive(self) -> dict:
        return await self.communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)

    async def close(self) -> None:
        await self.communicator.disconnect()


def decoded(message: dict) -> dict:
    assert message["type"] == "websocket.send", message
    return json.loads(message["text"])
