"""WebSocket fan-out benchmark: N subscribers on one or several server processes, M events.

Starts Uvicorn (one process) on Stride, opens N graphql-transport-ws sockets, each a different
member of one project subscribed to `taskChanged(projectId)`, then changes a task M times over
HTTP. Latency is measured per delivered message, from the moment the HTTP mutation was sent
until the subscriber has the parsed message; events lost = N * M minus what arrived.

With `--processes P` (P > 1) the subscribers are spread over P server processes, and the task
is changed through one more, so that every event crosses processes through the Redis channel
layer, as behind nginx with `make scale`.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/ws_fanout.py --subscribers 1000
    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/ws_fanout.py --processes 2

The database is the one DATABASE_URL names (migrated first); bench users are named bench-*.

Capacity (issue 17): the server's resident memory (with several, the sum over the subscribers'
servers) is read before the first socket opens and again once every socket is subscribed and
idle, so memory per socket = the difference / N.
The open-files limit is raised to the hard limit for both processes (10,000 sockets need
10,000 descriptors on each side). `--uvicorn-option` (repeatable) passes a setting to the
server to compare tunings, e.g. `--uvicorn-option=--ws-per-message-deflate=false`.
"""

import argparse
import asyncio
import gc
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "0123456789abcdef" * 3)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402
import uvloop  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.projects.models import Membership, Project  # noqa: E402
from backend.projects.services import create_project  # noqa: E402
from backend.tasks.services import create_task  # noqa: E402

SUBSCRIPTION = """
subscription ($projectId: ID) {
  taskChanged(projectId: $projectId) { kind task { id title version } actor { username } }
}"""
MEASURED = "bench-"
UPDATE = """
mutation ($input: TaskPartialInput!) {
  updateTask(input: $input) {
    ... on Task { version }
    ... on OperationInfo { messages { message } }
  }
}"""


def prepare(subscribers: int):
    """A project whose owner changes one task, and `subscribers` other members."""
    call_command("migrate", verbosity=0)
    Project.objects.filter(owner__username="bench-owner").delete()
    User.objects.filter(username__startswith="bench-").delete()
    owner = User.objects.create_user("bench-owner", "bench-owner@example.com", "x")
    project = create_project(actor=owner, name="Fan-out benchmark")
    members = User.objects.bulk_create(
        User(username=f"bench-{i}", email=f"bench-{i}@example.com") for i in range(subscribers)
    )
    Membership.objects.bulk_create(Membership(project=project, user=user) for user in members)
    task = create_task(actor=owner, title="bench-0", project_id=project.id)
    tokens = [str(AccessToken.for_user(user)) for user in members]
    return str(AccessToken.for_user(owner)), tokens, project.id, task.id


def start_server(port: int, workers_env: dict, options: list[str]) -> subprocess.Popen:
    # Its log (a JSON line per socket opened and closed, as in production) goes to a file: the
    # server keeps its own descriptor of it.
    log_path = Path(tempfile.gettempdir()) / f"ws_fanout-server-{port}.log"
    print(f"server log: {log_path}", file=sys.stderr, flush=True)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "backend.asgi:application"),
                *("--port", str(port), "--log-level", "warning"),
                *("--timeout-graceful-shutdown", "2", "--ws-max-queue", "64", *options),
            ],
            cwd=ROOT,
            env={**os.environ, **workers_env},
            stdout=log,
            stderr=log,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start")


class Subscriber:
    def __init__(self, address, token, project_id, sent_at, latencies):
        self.address, self.token, self.project_id = address, token, project_id
        self.sent_at, self.latencies = sent_at, latencies
        self.received = 0
        self.warmed_up = False

    async def run(self, ready: asyncio.Event, opened: list, stop: asyncio.Event):
        async with connect(
            f"ws://{self.address}/graphql/",
            subprotocols=["graphql-transport-ws"],
            max_queue=None,
            open_timeout=60,
        ) as ws:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": SUBSCRIPTION, "variables": {"projectId": str(self.project_id)}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            opened.append(self)
            ready.set()
            receiving = asyncio.ensure_future(self._receive(ws))
            await stop.wait()
            receiving.cancel()

    async def _receive(self, ws):
        async for raw in ws:
            arrived = time.perf_counter()
            message = json.loads(raw)
            if message.get("type") != "next":
                continue
            self.warmed_up = True
            title = message["payload"]["data"]["taskChanged"]["task"]["title"]
            if not title.startswith(MEASURED):
                continue
            sequence = int(title.removeprefix(MEASURED))
            self.latencies[sequence].append(arrived - self.sent_at[sequence])
            self.received += 1


def post(address, token, query, variables):
    request = urllib.request.Request(
        f"http://{address}/graphql/",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def addresses(first_port: int, processes: int) -> tuple[list[str], str]:
    """Where the subscribers connect, and where the writes go: one process serves both; with
    several, the writes go through one more than the subscribers have."""
    ports = [first_port + i for i in range(processes)]
    write_port = ports[0] if processes == 1 else first_port + processes
    return [f"127.0.0.1:{port}" for port in ports], f"127.0.0.1:{write_port}"


async def measure(args, owner_token, tokens, project_id, task_id, server_pids, memory):
    """`server_pids`: the processes the subscribers are on, whose memory is read."""
    subscriber_addresses, write_address = addresses(args.port, args.processes)
    sent_at, latencies, opened, mutation_seconds = {}, defaultdict(list), [], []
    stop = asyncio.Event()
    subscribers = [
        Subscriber(
            subscriber_addresses[i % len(subscriber_addresses)], t, project_id, sent_at, latencies
        )
        for i, t in enumerate(tokens)
    ]
    # Every server has answered a request (the database pool and the schema are warm) and no
    # socket is open yet.
    for address in dict.fromkeys([*subscriber_addresses, write_address]):
        await asyncio.to_thread(post, address, owner_token, "{ me { username } }", {})
    memory["before"] = sum(map(resident_bytes, server_pids))
    started = time.perf_counter()
    runs = []
    # Open the sockets in batches, as a crowd of browsers would, not all in one instant.
    for index, subscriber in enumerate(subscribers):
        ready = asyncio.Event()
        runs.append(asyncio.ensure_future(subscriber.run(ready, opened, stop)))
        if index % 50 == 49:
            await ready.wait()
    version = 1

    async def change_title(title):
        nonlocal version
        answer = await asyncio.to_thread(
            post,
            write_address,
            owner_token,
            UPDATE,
            {"input": {"id": task_id, "version": version, "title": title}},
        )
        version = answer["data"]["updateTask"]["version"]

    # The server keeps one group member per process, not per socket, so readiness is seen
    # from the clients: warm-up changes until every socket has heard one.
    warm_up = 0
    while (heard := sum(s.warmed_up for s in subscribers)) < len(subscribers):
        if time.perf_counter() - started > args.subscribe_timeout:
            raise SystemExit(f"only {heard} of {len(subscribers)} subscribed")
        warm_up += 1
        await change_title(f"warm-up-{warm_up}")
        await asyncio.sleep(1)
    connect_seconds = time.perf_counter() - started
    print(f"{len(subscribers)} subscribed in {connect_seconds:.1f} s", file=sys.stderr, flush=True)
    # Idle, every socket subscribed: what the server holds for them.
    await asyncio.sleep(args.settle)
    memory["subscribed"] = sum(map(resident_bytes, server_pids))
    # The clients' heap (a thousand connections) is long-lived from here on: frozen, so that a
    # full collection in the measuring process (seen at ~0.5 s) does not count as latency.
    gc.collect()
    gc.freeze()
    await asyncio.sleep(args.interval)

    for sequence in range(1, args.events + 1):
        sent_at[sequence] = time.perf_counter()
        await change_title(f"{MEASURED}{sequence}")
        mutation_seconds.append(time.perf_counter() - sent_at[sequence])
        await asyncio.sleep(args.interval)

    expected = len(subscribers) * args.events
    deadline = time.perf_counter() + args.grace
    while delivered(latencies) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*runs, return_exceptions=True)
    return connect_seconds, latencies, expected, mutation_seconds


def delivered(latencies: dict) -> int:
    return sum(len(arrivals) for arrivals in latencies.values())


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between events")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds to wait at the end")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes the subscribers are spread over; above 1, writes go through one "
        "more (default 1: subscribers and writes on one process)",
    )
    parser.add_argument("--port", type=int, default=8350, help="the first server's port")
    parser.add_argument(
        "--subscribe-timeout", type=float, default=180, help="seconds for every socket to hear"
    )
    parser.add_argument(
        "--settle", type=float, default=5, help="idle seconds before the memory is read"
    )
    parser.add_argument(
        "--uvicorn-option", action="append", default=[], help="passed to the server (repeatable)"
    )
    parser.add_argument(
        "--per-event", action="store_true", help="also print each event's timings to stderr"
    )
    args = parser.parse_args()

    # One descriptor per socket on each side, inherited by the server.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.subscribers + 100 > hard:
        raise SystemExit(f"{args.subscribers} sockets need more than the {hard} open files allowed")
    owner_token, tokens, project_id, task_id = prepare(args.subscribers)
    subscriber_addresses, write_address = addresses(args.port, args.processes)
    servers = {
        address: start_server(
            int(address.rpartition(":")[2]), {"DATABASE_POOL_MAX_SIZE": "20"}, args.uvicorn_option
        )
        for address in dict.fromkeys([*subscriber_addresses, write_address])
    }
    subscriber_pids = [servers[address].pid for address in subscriber_addresses]
    memory = {}
    try:
        # uvloop (as in the server) keeps the clients' own share of each latency small.
        connect_seconds, by_event, expected, mutation_seconds = uvloop.run(
            measure(args, owner_token, tokens, project_id, task_id, subscriber_pids, memory)
        )
        memory["after_events"] = sum(map(resident_bytes, subscriber_pids))
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            server.wait(timeout=30)
    latencies = [latency for arrivals in by_event.values() for latency in arrivals]
    # Per event: when its first subscriber had it, and how long the last one waited after.
    firsts = [min(arrivals) for arrivals in by_event.values()]
    spreads = [max(arrivals) - min(arrivals) for arrivals in by_event.values()]
    lost = expected - len(latencies)
    if args.per_event:
        for sequence, mutation in enumerate(mutation_seconds, start=1):
            arrivals = by_event.get(sequence) or [float("nan")]
            print(
                f"event {sequence}: mutation {mutation * 1000:.0f} ms, first subscriber "
                f"{min(arrivals) * 1000:.0f} ms, last {max(arrivals) * 1000:.0f} ms",
                file=sys.stderr,
            )
    print(
        json.dumps(
            {
                "machine": f"{platform.node()} {platform.processor() or platform.machine()}, "
                f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
                "subscribers": args.subscribers,
                "processes": args.processes,
                "writes_through": "another process" if args.processes > 1 else "the same one",
                "uvicorn_options": args.uvicorn_option,
                "server_rss_mb_before": round(memory["before"] / 2**20, 1),
                "server_rss_mb_subscribed": round(memory["subscribed"] / 2**20, 1),
                "server_rss_mb_after_events": round(memory["after_events"] / 2**20, 1),
                "kb_per_socket": round(
                    (memory["subscribed"] - memory["before"]) / args.subscribers / 1024, 1
                ),
                "events": args.events,
                "interval_s": args.interval,
                "connect_and_subscribe_s": round(connect_seconds, 2),
                "mutation_p50_ms": round(statistics.median(mutation_seconds) * 1000, 1),
                "delivered": len(latencies),
                "lost": lost,
                "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
                "p99_ms": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
                "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
                "first_subscriber_p50_ms": round(statistics.median(firsts) * 1000, 1)
                if firsts
                else None,
                "first_to_last_p50_ms": round(statistics.median(spreads) * 1000, 1)
                if spreads
                else None,
            },
            indent=2,
        )
    )
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
