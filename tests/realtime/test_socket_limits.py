"""The document limits hold over WebSocket as over HTTP: the same schema extensions refuse."""

import pytest

from tests.graphql.test_document_limits import FRAGMENT_BOMB
from tests.realtime.conftest import RECEIVE_TIMEOUT, TRANSPORT_WS, GraphQLSocket

pytestmark = pytest.mark.django_db(transaction=True)


async def subscribe(socket, document):
    await socket.communicator.send_json_to(
        {"id": "1", "type": "subscribe", "payload": {"query": document}}
    )


async def test_a_fragment_bomb_is_an_error_message_over_websocket(alice):
    socket = GraphQLSocket(TRANSPORT_WS)
    await socket.open_as(alice)

    await subscribe(socket, FRAGMENT_BOMB)

    answer = await socket.receive()
    assert answer["type"] == "error", answer
    assert [error["message"] for error in answer["payload"]] == [
        "1048576 fields found with fragments expanded. Allowed: 1000"
    ]
    await socket.nothing_more()


async def test_a_document_that_does_not_parse_closes_the_socket_as_the_protocol_says(alice):
    # The parser cache leaves such a text to Strawberry's own parsing, which reports it.
    socket = GraphQLSocket(TRANSPORT_WS)
    await socket.open_as(alice)

    await subscribe(socket, "subscription { taskChanged(projectId: 1) { kind ")

    closed = await socket.communicator.receive_output(timeout=RECEIVE_TIMEOUT)
    assert closed == {
        "type": "websocket.close",
        "code": 4400,
        "reason": "Syntax Error: Expected Name, found <EOF>.",
    }
