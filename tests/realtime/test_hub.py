"""The web process's hub: one group member for all its subscriptions, routed in memory."""

import asyncio
import json
import threading
from types import SimpleNamespace

import pytest
from channels.layers import get_channel_layer

from backend.realtime.broadcast import broadcast
from backend.realtime.consumers import GraphQLSocketConsumer
from backend.realtime.groups import TaskEventFilter, project_group
from backend.realtime.hub import Hub, hub_for
from backend.realtime.listening import Listener, listen
from schema import schema
from tests.realtime.conftest import (
    RECEIVE_TIMEOUT,
    GraphQLSocket,
    run,
    wait_for_group,
    wait_for_listeners,
)


@pytest.mark.django_db(transaction=True)
async def test_sockets_of_one_process_are_one_group_member_and_all_receive(
    alice, bob, as_alice, task
):
    group = project_group(task.project_id)
    sockets = [GraphQLSocket(), GraphQLSocket()]
    for socket, user in zip(sockets, (alice, bob), strict=True):
        await socket.open_as(user)
        await socket.subscribe("1", "taskChanged", projectId=str(task.project_id))
    await wait_for_listeners(group, 2)
    await wait_for_group(group, size=1)

    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "Both"})
    for socket in sockets:
        assert (await socket.next_data("1"))["taskChanged"]["task"]["title"] == "Both"

    # The group stays joined while one subscription in the process still needs it.
    await sockets[0].close()
    await wait_for_listeners(group, 1)
    await wait_for_group(group, size=1)
    await run(as_alice, "updateTask", input={"id": task.id, "version": 2, "title": "Bob's"})
    assert (await sockets[1].next_data("1"))["taskChanged"]["task"]["title"] == "Bob's"

    await sockets[1].close()
    await wait_for_group(group, size=0)


@pytest.mark.django_db(transaction=True)
async def test_the_hub_stops_receiving_once_nobody_listens():
    layer = get_channel_layer()
    async with listen(SimpleNamespace(channel_layer=layer), types=["x.y"], groups=["g"]):
        assert not hub_for(layer)._receiving.done()
    assert hub_for(layer)._receiving is None


@pytest.mark.django_db(transaction=True)
async def test_a_burst_past_the_default_capacity_is_not_lost():
    """channels-redis drops what exceeds a channel's capacity (100 by default); every event
    of the process passes through the hub's channel, whose capacity settings.py raises."""
    layer = get_channel_layer()
    burst = 3 * layer.capacity
    async with listen(SimpleNamespace(channel_layer=layer), types=["x.y"], groups=["g"]) as inbox:
        assert layer.get_capacity(hub_for(layer).channel) >= 10 * layer.capacity
        # Sent from another thread while this loop, the hub's, is blocked: all of the burst
        # waits in Redis before the hub reads any of it.
        sender = threading.Thread(
            target=lambda: [broadcast("g", {"type": "x.y", "number": n}) for n in range(burst)]
        )
        sender.start()
        sender.join()
        received = [(await asyncio.wait_for(anext(inbox), RECEIVE_TIMEOUT)) for _ in range(burst)]
    assert [message["number"] for message in received] == list(range(burst))


def test_a_message_of_an_unjoined_group_or_type_reaches_no_listener():
    hub = Hub(get_channel_layer())
    listener = Listener(hub, types=["x.y"], consumer=None)
    hub.members["g"].add(listener)

    hub.deliver({"type": "x.y", "group": "other"})
    hub.deliver({"type": "x.z", "group": "g"})
    hub.deliver({"type": "x.y"})
    assert listener.queue.empty()
    hub.deliver({"type": "x.y", "group": "g"})
    assert listener.queue.get_nowait() == {"type": "x.y", "group": "g"}


def test_the_audience_is_searched_as_a_sorted_list():
    audience = list(range(2, 2002, 2))
    message = {"project_id": 1, "event_id": "e", "audience": audience}
    assert TaskEventFilter(SimpleNamespace(id=1000, is_staff=False)).admits(message)
    for outsider in (1, 999, 2002, 5000):
        assert not TaskEventFilter(SimpleNamespace(id=outsider, is_staff=False)).admits(message)


def test_a_result_message_is_the_json_strawberry_would_send():
    consumer = GraphQLSocketConsumer(schema=schema)
    data = {"taskChanged": {"kind": "UPDATED", "task": {"title": 'Quote " and é'}}}
    for message in (
        {"id": "1", "type": "next", "payload": {"data": data}},
        {"id": "2", "type": "data", "payload": {"data": data}},
        {"id": "3", "type": "next", "payload": {"data": None, "errors": [{"message": "No"}]}},
        {"type": "connection_ack"},
    ):
        assert json.loads(consumer.encode_json(message)) == message
