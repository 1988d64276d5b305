"""Queries sent over WebSocket run in the event loop: their pages are fetched off it, and answer
as over HTTP."""

import pytest
from channels.db import database_sync_to_async

from tests.realtime.conftest import TRANSPORT_WS, GraphQLSocket, client_of

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = """
query { tasks { totalCount results { id title assignee { username } project { name } } } }
"""


@pytest.mark.parametrize("selection", ["plain", "with a field that needs the instance"])
async def test_a_page_queried_over_websocket_answers_as_over_http(selection, alice, task):
    query = PAGE if selection == "plain" else PAGE.replace("title", "title commentCount")
    over_http = await database_sync_to_async((await client_of(alice)).data)(query)
    socket = GraphQLSocket(TRANSPORT_WS)
    await socket.open_as(alice)

    await socket.communicator.send_json_to(
        {"id": "1", "type": "subscribe", "payload": {"query": query}}
    )

    assert await socket.next_data("1") == over_http
    assert (await socket.receive()) == {"id": "1", "type": "complete"}
    assert over_http["tasks"]["results"][0]["project"] == {"name": "Launch"}
