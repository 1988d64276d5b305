"""A client of a live server for the outage tests: each request timed, its answer kept whole
whatever the status, as a client that must decide whether to retry sees it."""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.conftest import operation

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


def request(url, *, method="GET", body=None, headers=None, timeout=30) -> Answer:
    data = None if body is None else json.dumps(body).encode()
    headers = {**({"Content-Type": "application/json"} if data else {}), **(headers or {})}
    started = time.monotonic()
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=data, method=method, headers=headers),
            timeout=timeout,
        ) as response:
            status, answer_headers, content = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, answer_headers, content = error.code, error.headers, error.read()
    headers = {name.lower(): value for name, value in answer_headers.items()}
    return Answer(status, headers, content, time.monotonic() - started)


def graphql(server_url, token, name, **variables) -> Answer:
    return request(
        f"{server_url}/graphql/",
        method="POST",
        body={"query": operation(name), "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )


def socket_exchange(
    url, *, subprotocol=None, send=(), until=None, timeout=10
) -> tuple[int | None, list, float]:
    """Open a WebSocket, send `send`, read until a message `until(message)` is true or the
    server closes it: (the close code or None while open, the messages received, seconds)."""
    started, received = time.monotonic(), []
    with connect(
        url, subprotocols=[subprotocol] if subprotocol else None, open_timeout=timeout
    ) as ws:
        for message in send:
            ws.send(json.dumps(message))
        try:
            while not (received and until is not None and until(received[-1])):
                received.append(json.loads(ws.recv(timeout=timeout)))
        except ConnectionClosed as closed:
            return closed.rcvd.code, received, time.monotonic() - started
    return None, received, time.monotonic() - started


def init_message(token) -> dict:
    return {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
