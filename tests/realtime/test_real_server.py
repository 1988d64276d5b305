"""The whole path through a real ASGI server process (Uvicorn) and a WebSocket client library:
HTTP mutation -> commit -> Redis channel layer -> graphql-transport-ws -> client."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from backend.realtime.groups import project_group
from tests.conftest import operation
from tests.realtime.conftest import token_of, wait_for_group

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("STRIDE_TEST_SERVER_PORT", "8301"))
# redis-py 8 times reads out after 5 s, channels-redis blocks for 5 s: idle longer than both.
IDLE_SECONDS = 6.5
SERVER_APPLICATION_NAME = "stride-test-server"


@pytest.fixture
def server(transactional_db):
    """Uvicorn serving Stride on the test database, in its own process."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}",
        "DATABASE_POOL_MIN_SIZE": "1",
        "PGAPPNAME": SERVER_APPLICATION_NAME,
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "backend.asgi:application", "--port", str(PORT)),
            *("--timeout-graceful-shutdown", "1", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_listening(PORT, process)
        yield f"127.0.0.1:{PORT}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _wait_until_disconnected_from_database()


def _wait_until_disconnected_from_database(timeout=10):
    """PostgreSQL ends a dead client's sessions a moment later; the test database can only be
    dropped once they are gone."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [SERVER_APPLICATION_NAME],
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def _wait_until_listening(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


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
