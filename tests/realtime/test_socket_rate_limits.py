"""Operations sent over WebSocket count against the user's rate limit, as requests over HTTP do."""

import pytest
from django.core.cache import cache

from backend.realtime.groups import user_group
from tests.realtime.conftest import LEGACY_WS, TRANSPORT_WS, GraphQLSocket, wait_for_listeners

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def three_a_minute(settings):
    cache.delete_pattern("throttle_*")
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    yield
    cache.delete_pattern("throttle_*")


async def test_an_operation_over_the_users_rate_is_refused(alice):
    socket = GraphQLSocket(TRANSPORT_WS)
    await socket.open_as(alice)
    for number in range(3):
        await socket.communicator.send_json_to(
            {"id": str(number), "type": "subscribe", "payload": {"query": "{ me { username } }"}}
        )
        assert await socket.next_data(str(number)) == {"me": {"username": "alice"}}
        assert await socket.receive() == {"id": str(number), "type": "complete"}

    await socket.communicator.send_json_to(
        {"id": "4", "type": "subscribe", "payload": {"query": "{ me { username } }"}}
    )
    refused = await socket.receive()
    assert refused["type"] == "error" and refused["id"] == "4"
    (error,) = refused["payload"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] >= 1


async def test_subscriptions_count_too_over_the_legacy_protocol(alice):
    socket = GraphQLSocket(LEGACY_WS)
    await socket.open_as(alice)
    query = "subscription { notificationReceived { id } }"
    for number in range(3):
        await socket.communicator.send_json_to(
            {"id": str(number), "type": "start", "payload": {"query": query}}
        )
        # Counted in turn: each is listening before the next is sent.
        await wait_for_listeners(user_group(alice.id), number + 1)

    await socket.communicator.send_json_to(
        {"id": "4", "type": "start", "payload": {"query": query}}
    )
    refused = await socket.receive()
    assert refused["type"] == "error" and refused["id"] == "4"
    assert refused["payload"]["extensions"]["code"] == "RATE_LIMITED"
