"""Several web processes, as `make scale` runs them (scripts/scale.py): two Uvicorn processes on
the test database and, in front of them, nginx with the configuration that script writes.

What one process knows that another must is in Redis: events reach a subscriber of the other
process, a rate limit counts requests to both, and a cached answer is shared and invalidated
by a write through either. Clients reach the processes over the loopback, as browsers would.
"""

import asyncio
import http.client
import json
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from websockets.asyncio.client import connect

from backend.realtime.groups import project_group
from scripts.scale import LOOPBACK, nginx_command, nginx_config, prepare_nginx
from tests.conftest import operation
from tests.live_server import LiveServer

# close_database_pool: async tests leave connections in the pool, closed before the database
# is dropped.
from tests.realtime.conftest import (  # noqa: F401
    access_token,
    close_database_pool,
    token_of,
    wait_for_group,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Small enough to reach in a few requests; the test suite's own rates are unlimited.
ANON_RATE = 4
RECEIVE_TIMEOUT = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode}"
        with socket.socket() as probe:
            if probe.connect_ex((LOOPBACK, port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


@pytest.fixture(scope="module")
def processes(django_db_setup, django_db_blocker):
    """Two web processes as make scale configures them: nginx's address trusted, and a small
    anonymous rate so that a shared limit is quickly reached."""
    environment = {"TRUSTED_PROXIES": LOOPBACK, "THROTTLE_ANON_RATE": f"{ANON_RATE}/min"}
    servers = []
    with django_db_blocker.unblock():
        try:
            for _ in range(2):
                servers.append(LiveServer(port=free_port(), **environment).start())
            yield servers
        finally:
            for server in servers:
                server.stop()


@pytest.fixture(scope="module")
def nginx(processes):
    """nginx balancing over both processes, serving static files from a directory of its own;
    its address, and its access log."""
    # Not pytest's temporary directory, which only its owner may enter: nginx's workers run as
    # `nobody` when the tests run as root.
    prefix = Path(tempfile.mkdtemp(prefix="stride-nginx-test-"))
    static_root = prefix / "static"
    static_root.mkdir()
    (static_root / "probe.css").write_text("body { color: teal; }\n")
    port = free_port()
    config = nginx_config(
        listen=f"{LOOPBACK}:{port}",
        upstreams=[server.address for server in processes],
        static_root=static_root,
        prefix=prefix,
    )
    process = subprocess.Popen(nginx_command(prepare_nginx(config, prefix), prefix))
    try:
        wait_until_listening(port, process)
        yield f"{LOOPBACK}:{port}", prefix / "access.log"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix)


@pytest.fixture(autouse=True)
def nothing_left_over():
    """No rate-limit count, group or event from another test."""
    cache.delete_pattern("throttle_*")
    async_to_sync(get_channel_layer().flush)()
    yield
    async_to_sync(get_channel_layer().flush)()


def request(address, method, path, body=None, token=None, source=LOOPBACK, **headers):
    """(status, headers, body) of one HTTP request from the loopback address `source`."""
    host, port = address.split(":")
    client = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    try:
        client.request(method, path, body=body, headers=headers)
        response = client.getresponse()
        return response.status, response.headers, response.read()
    finally:
        client.close()


def graphql(address, token, document, **variables):
    status, _, body = request(
        address, "POST", "/graphql/", {"query": document, "variables": variables}, token
    )
    assert status == 200, body
    answer = json.loads(body)
    assert "errors" not in answer, answer
    return answer["data"]


def rename(address, token, task_id, version, title):
    update = {"id": task_id, "version": version, "title": title}
    data = graphql(address, token, operation("updateTask"), input=update)
    assert data["updateTask"]["title"] == title, data


def logged(access_log: Path, text: str) -> str:
    """The access log once `text` is in it."""
    deadline = time.monotonic() + RECEIVE_TIMEOUT
    while text not in (content := access_log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return content


async def subscribe(address, token, project_id):
    ws = await connect(f"ws://{address}/graphql/", subprotocols=["graphql-transport-ws"])
    init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    payload = {"query": operation("taskChanged"), "variables": {"projectId": str(project_id)}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
    await wait_for_group(project_group(project_id))
    return ws


async def next_title(ws) -> str:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=RECEIVE_TIMEOUT))
    assert message["type"] == "next", message
    return message["payload"]["data"]["taskChanged"]["task"]["title"]


async def test_a_write_through_one_process_reaches_a_subscriber_of_the_other(
    processes, alice, bob, task
):
    first, second = (server.address for server in processes)
    alice_token, bob_token = await token_of(alice), await token_of(bob)
    ws = await subscribe(first, bob_token, task.project_id)
    try:
        await asyncio.to_thread(rename, second, alice_token, task.id, 1, "Written through two")
        assert await next_title(ws) == "Written through two"
    finally:
        await ws.close()


async def test_nginx_balances_requests_and_websockets_over_both_processes(
    processes, nginx, alice, bob, task
):
    address, access_log = nginx
    alice_token, bob_token = await token_of(alice), await token_of(bob)
    ws = await subscribe(address, bob_token, task.project_id)
    try:
        for version, title in enumerate(("First through nginx", "Second through nginx"), 1):
            await asyncio.to_thread(rename, address, alice_token, task.id, version, title)
            assert await next_title(ws) == title
    finally:
        await ws.close()

    # Round robin: the two writes went to different processes, so one of them was not the
    # subscriber's. The upgraded connection is logged when it closes.
    lines = (await asyncio.to_thread(logged, access_log, " 101 ")).splitlines()
    writes = [line for line in lines if '"POST /graphql/ ' in line]
    (socket_line,) = [line for line in lines if '"GET /graphql/ ' in line]
    assert " 101 " in socket_line
    upstreams = {line.split(" upstream ")[1].split()[0] for line in writes[-2:]}
    assert upstreams == {server.address for server in processes}


def test_nginx_serves_static_files_and_passes_request_ids_through(processes, nginx, alice):
    address, access_log = nginx
    status, headers, body = request(address, "GET", "/static/probe.css")
    assert (status, body) == (200, b"body { color: teal; }\n")
    assert headers["Content-Type"] == "text/css"
    # nginx answered alone: Stride sets X-Frame-Options on everything it serves.
    assert "X-Frame-Options" not in headers

    # The client's id, or one nginx makes up: the same in nginx's log and in Stride's answer
    # (and so in its log lines).
    request_id = f"several-processes-{uuid.uuid4()}"
    status, headers, _ = request(address, "GET", "/api/health/", **{"X-Request-ID": request_id})
    assert (status, headers["X-Request-ID"]) == (200, request_id)
    for unacceptable in ({}, {"X-Request-ID": "no spaces allowed"}):
        status, headers, _ = request(address, "GET", "/api/health/", **unacceptable)
        made_up = headers["X-Request-ID"]
        assert status == 200 and made_up != "no spaces allowed"
        # nginx logs a request just after answering it.
        assert f"id {made_up}" in logged(access_log, made_up)
    assert f"id {request_id}" in logged(access_log, request_id)


def test_rate_limits_count_requests_to_every_process(processes, nginx, db):
    def anonymous(address, **options):
        status, _, _ = request(address, "POST", "/graphql/", {"query": "{ __typename }"}, **options)
        return status

    first, second = (server.address for server in processes)
    statuses = [anonymous((first, second)[i % 2]) for i in range(ANON_RATE + 1)]
    assert statuses == [200] * ANON_RATE + [429]

    # Through nginx, each client is counted by its own address (nginx's is trusted), whatever
    # it writes in X-Forwarded-For; nginx spreads its requests over both processes.
    nginx_address, _ = nginx
    spoofed = [
        anonymous(nginx_address, source="127.0.0.2", **{"X-Forwarded-For": f"192.0.2.{i}"})
        for i in range(ANON_RATE + 1)
    ]
    assert spoofed == [200] * ANON_RATE + [429]
    assert anonymous(nginx_address, source="127.0.0.3") == 200


def test_a_cached_list_is_invalidated_by_a_write_through_the_other_process(processes, alice, task):
    first, second = (server.address for server in processes)
    alice_token = access_token(alice)
    titles = "query { tasks { results { id title } } }"

    def read_titles(address):
        return [row["title"] for row in graphql(address, alice_token, titles)["tasks"]["results"]]

    assert read_titles(first) == ["Write the announcement"]
    # Changed behind Stride's back: the second process still answers what the first cached.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tasks_task SET title = 'Not through Stride' WHERE id = %s", [task.id]
        )
    assert read_titles(second) == ["Write the announcement"]

    rename(second, alice_token, task.id, 1, "Renamed through the second")
    assert read_titles(first) == ["Renamed through the second"]


def test_nginx_answers_from_the_other_process_while_one_is_down(processes, nginx, alice):
    """While `make scale` starts a crashed process again, nginx passes its share to the others:
    a connection refused is tried on the next process, writes included (nothing was sent)."""
    address, _ = nginx
    alice_token = access_token(alice)
    down = processes[1]
    down.stop()
    try:
        for _ in range(4):
            assert graphql(address, alice_token, "{ me { username } }") == {
                "me": {"username": "alice"}
            }
    finally:
        down.start()
