"""Who may open a socket: a valid access token or a session; anyone else is turned away
with the protocol's own error, before any subscription can start."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from backend.realtime.groups import user_group
from tests.realtime.conftest import (
    LEGACY_WS,
    RECEIVE_TIMEOUT,
    TRANSPORT_WS,
    GraphQLSocket,
    NotificationSocket,
    decoded,
    group_size,
    token_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

BAD_TOKENS = [
    pytest.param(None, id="missing"),
    pytest.param("Bearer not-a-jwt", id="garbage"),
    pytest.param("Token abc", id="wrong-scheme"),
    pytest.param(42, id="not-a-string"),
]


@pytest.mark.parametrize("authorization", BAD_TOKENS)
async def test_transport_ws_without_a_valid_token_closes_with_4403(authorization):
    socket = GraphQLSocket(TRANSPORT_WS)
    params = {} if authorization is None else {"authorization": authorization}

    answer = await socket.open(params)

    assert answer["type"] == "websocket.close"
    assert answer["code"] == 4403


@pytest.mark.parametrize("authorization", BAD_TOKENS)
async def test_legacy_ws_without_a_valid_token_answers_connection_error(authorization):
    socket = GraphQLSocket(LEGACY_WS)
    params = {} if authorization is None else {"authorization": authorization}

    answer = decoded(await socket.open(params))

    assert answer["type"] == "connection_error"
    assert "message" in answer["payload"]
    closed = await socket.communicator.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"


async def test_token_of_a_deactivated_user_is_refused(bob):
    token = await token_of(bob)
    bob.is_active = False
    await database_sync_to_async(bob.save)()
    socket = GraphQLSocket()

    answer = await socket.open({"authorization": f"Bearer {token}"})

    assert answer["code"] == 4403


async def test_subscribing_before_connection_init_is_refused(bob):
    socket = GraphQLSocket()
    connected, _ = await socket.communicator.connect()
    assert connected
    await socket.subscribe("1", "taskChanged")

    answer = await socket.communicator.receive_output(timeout=5)

    assert answer["type"] == "websocket.close"
    assert answer["code"] == 4401
    assert await sync_to_async(group_size)(user_group(bob.id)) == 0


async def test_refused_socket_never_subscribes(bob):
    socket = GraphQLSocket()
    await socket.open({"authorization": "Bearer not-a-jwt"})
    await socket.subscribe("1", "taskChanged")

    assert await sync_to_async(group_size)(user_group(bob.id)) == 0


def _session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return (b"cookie", f"sessionid={cookie.value}".encode())


async def test_browser_session_signs_the_socket_in(bob):
    cookie = await database_sync_to_async(_session_cookie)(bob)
    socket = GraphQLSocket(headers=[cookie])

    answer = decoded(await socket.open({}))

    assert answer == {"type": "connection_ack"}
    await socket.close()


async def test_a_bad_token_is_refused_even_with_a_session(bob):
    cookie = await database_sync_to_async(_session_cookie)(bob)
    socket = GraphQLSocket(headers=[cookie])

    answer = await socket.open({"authorization": "Bearer not-a-jwt"})

    assert answer["code"] == 4403


async def test_a_page_on_another_site_cannot_open_a_socket(bob):
    cookie = await database_sync_to_async(_session_cookie)(bob)
    socket = GraphQLSocket(headers=[cookie, (b"origin", b"https://evil.example")])

    connected, _ = await socket.communicator.connect()

    assert not connected


@pytest.mark.parametrize("token", [None, "", "not-a-jwt"])
async def test_notification_socket_refuses_a_missing_or_bad_token(token):
    socket = NotificationSocket(token=token)

    connected, code = await socket.open()

    assert not connected
    assert code == 4403


async def test_notification_socket_accepts_a_session(bob):
    cookie = await database_sync_to_async(_session_cookie)(bob)
    socket = NotificationSocket(headers=[cookie])

    connected, _ = await socket.open()

    assert connected
    await socket.close()


def _short_lived_token(user, seconds: float) -> str:
    # `exp` is whole seconds: the token expires 2 to 3 s from now, within RECEIVE_TIMEOUT.
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_a_socket_is_closed_when_its_token_expires(protocol, bob, task):
    token = await database_sync_to_async(_short_lived_token)(bob, 3)
    socket = GraphQLSocket(protocol)
    answer = decoded(await socket.open({"authorization": f"Bearer {token}"}))
    assert answer["type"] == "connection_ack"
    await socket.subscribe("1", "taskChanged")

    closed = await socket.communicator.receive_output(timeout=RECEIVE_TIMEOUT)

    assert closed == {"type": "websocket.close", "code": 4403, "reason": "Token expired"}


async def test_the_notification_socket_is_closed_when_its_token_expires(bob):
    token = await database_sync_to_async(_short_lived_token)(bob, 3)
    socket = NotificationSocket(token=token)
    connected, _ = await socket.open()
    assert connected

    closed = await socket.communicator.receive_output(timeout=RECEIVE_TIMEOUT)

    assert closed == {"type": "websocket.close", "code": 4403, "reason": "Token expired"}


async def test_a_socket_signed_in_by_its_session_stays_open(bob):
    cookie = await database_sync_to_async(_session_cookie)(bob)
    socket = NotificationSocket(headers=[cookie])
    await socket.open()

    assert await socket.communicator.receive_nothing(timeout=2)
    await socket.close()
