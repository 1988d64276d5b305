"""The whole path through a real ASGI server process (Uvicorn) and a WebSocket client library:
HTTP mutation -> commit -> Redis channel layer -> graphql-transport-ws -> client."""

import asyncio
import json
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from backend.realtime.groups import project_group
from tests.conftest import operation
from tests.live_server import LiveServer
from tests.realtime.conftest import token_of, wait_for_group

pytestmark = pytest.mark.django_db(transaction=True)

# redis-py 8 times reads out after 5 s, channels-redis blocks for 5 s: idle longer than both.
IDLE_SECONDS = 6.5


@pytest.fixture
def server(transactional_db):
    """Uvicorn serving Stride on the test database, in its own process."""
    live = LiveServer().start()
    try:
        yield live.address
    finally:
        live.stop()


def _post_graphql(address, token, name, **variables):
    request = urllib.request.Request(
        f"http://{address}/graphql/",
        data=json.dumps({"query": operation(name), "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    assert "errors" not in answer, answer
    return answer["data"]


async def test_subscription_idle_past_the_redis_timeouts_still_receives(server, alice, bob, task):
    bob_token, alice_token = await token_of(bob), await token_of(alice)
    async with connect(f"ws://{server}/graphql/", subprotocols=["graphql-transport-ws"]) as ws:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {bob_token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        subscribe = {"query": operation("taskChanged"), "variables": {}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        await wait_for_group(project_group(task.project_id))

        await asyncio.sleep(IDLE_SECONDS)
        await asyncio.to_thread(
            _post_graphql,
            server,
            alice_token,
            "updateTask",
            input={"id": task.id, "version": 1, "title": "Seen live"},
        )

        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=5))
    assert message["type"] == "next"
    assert message["payload"]["data"]["taskChanged"]["task"]["title"] == "Seen live"
    assert message["payload"]["data"]["taskChanged"]["actor"]["username"] == "alice"


async def test_a_bad_token_is_closed_with_4403_by_the_server(server):
    async with connect(f"ws://{server}/graphql/", subprotocols=["graphql-transport-ws"]) as ws:
        init = {"type": "connection_init", "payload": {"authorization": "Bearer nope"}}
        await ws.send(json.dumps(init))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=5)
    assert closed.value.rcvd.code == 4403
