"""REST vs GraphQL task list throughput, cached and uncached, against a hand-optimized DRF view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stride_bench_api \
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/api.py --port 8400

Seeds 100,000 tasks (once) in the database named by DATABASE_URL, starts Uvicorn on loopback
with the caches (selectors, GraphQL responses, signed-in user) off and then on, and drives each
endpoint from a second process (a keep-alive HTTP load generator) for a fixed time. The page:
50 tasks with assignee and project. Prints a Markdown table: requests/s, p50 and p99 latency,
errors, and the load average before and after (the machine may be shared). The uncached
GraphQL page and the hand-optimized DRF view are measured in alternated rounds (`--rounds`,
after an unrecorded run of each; which goes first changes every round), and their ratio
printed last. Then again (`--viewer-rounds`) with each request sent by the next of `--viewers`
project members in turn, as when many users open the same list: each user's first read of it
(GraphQL shares a page's SQL between users, with their id as a parameter, schema/fast_fields.py;
the DRF view builds its query every time either way).

`--load wrk` drives the load with wrk (a C program: `apt-get install wrk`) instead of the
Python generator, whose own CPU competes with the server's on a small machine; the server's
CPU time per request is printed too. `--instructions N` then counts the machine instructions
the server executes per request of the uncached GraphQL page and of the DRF view, under
valgrind (`apt-get install valgrind`): exact where the timings drift with the machine's load.
"""

import argparse
import contextlib
import functools
import http.client
import itertools
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_USER = "bench_owner"

GRAPHQL_PAGE = """query BenchTasks {
  tasks(pagination: {limit: 50}) {
    results { id title status priority dueDate createdAt
              project { id name } assignee { id username } }
  }
}"""


def server_environment(cache_on: bool) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 32),
        "SECURE_SSL_REDIRECT": "0",
        "CACHE_SELECTORS": "1" if cache_on else "0",
        "CACHE_KEY_PREFIX": "stride-bench-api",
        # The benchmark measures the server, not its rate limits, and outlasts a default token.
        "JWT_ACCESS_MINUTES": "240",
        "THROTTLE_ANON_RATE": "100000000/min",
        "THROTTLE_USER_RATE": "100000000/min",
        "LOG_LEVEL": "WARNING",
    }


def setup_django():
    os.environ.update(server_environment(cache_on=False))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(task_count: int, viewer_count: int) -> tuple[str, list[str]]:
    """Create the bench user, a project of 10 members and `task_count` tasks, and
    `viewer_count` more members; a token of the bench user and one of each viewer."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from backend.accounts.models import User
    from backend.accounts.services import tokens_for
    from backend.projects.models import Membership, Project
    from backend.tasks.models import Task, TaskPriority, TaskStatus

    owner, _ = User.objects.get_or_create(
        username=BENCH_USER, defaults={"email": "bench@example.com"}
    )
    members = [owner] + [
        User.objects.get_or_create(username=f"bench_{n}", defaults={"email": f"b{n}@example.com"})[
            0
        ]
        for n in range(9)
    ]
    project, _ = Project.objects.get_or_create(name="Bench", owner=owner)
    for member in members:
        Membership.objects.get_or_create(project=project, user=member)
    missing = task_count - Task.objects.filter(project=project).count()
    statuses, priorities = TaskStatus.values, TaskPriority.values
    batch = []
    for n in range(max(missing, 0)):
        batch.append(
            Task(
                project=project,
                title=f"Bench task {n}",
                description="Seeded for bench/api.py",
                status=statuses[n % len(statuses)],
                priority=priorities[n % len(priorities)],
                created_by=owner,
                assignee=members[n % len(members)],
            )
        )
        if len(batch) == 5000:
            Task.objects.bulk_create(batch)
            batch = []
    Task.objects.bulk_create(batch)
    existing = set(
        User.objects.filter(username__startswith="bench_viewer_").values_list("username", flat=True)
    )
    User.objects.bulk_create(
        User(username=name, email=f"{name}@example.com")
        for name in (f"bench_viewer_{n}" for n in range(viewer_count))
        if name not in existing
    )
    viewers = list(
        User.objects.filter(username__startswith="bench_viewer_").order_by("id")[:viewer_count]
    )
    Membership.objects.bulk_create(
        (Membership(project=project, user=viewer) for viewer in viewers), ignore_conflicts=True
    )
    return (
        str(tokens_for(owner).access_token),
        [str(tokens_for(viewer).access_token) for viewer in viewers],
    )


def start_server(port: int, cache_on: bool, under: tuple = (), wait: int = 60) -> subprocess.Popen:
    """Uvicorn on loopback, ready; `under` runs it under a tool (valgrind), given `wait` s."""
    server = subprocess.Popen(
        [
            *under,
            str(ROOT / ".venv/bin/python"),
            str(ROOT / ".venv/bin/uvicorn"),
            "backend.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=server_environment(cache_on),
    )
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/health/")
            if connection.getresponse().status in (200, 503):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"the server did not start within {wait} s")


def _worker(url, method, body, headers, viewers, turns, stop_at, latencies, errors):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    while time.monotonic() < stop_at:
        if viewers:
            headers = {**headers, "Authorization": f"Bearer {viewers[next(turns) % len(viewers)]}"}
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            ok = False
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(1)


def load(url, method, body, headers, viewers, connections, seconds, warmup, results, ready, go):
    """Runs in its own process: `connections` keep-alive clients, `warmup` seconds (to warm
    connections and caches), then, once told to `go`, `seconds` measured. With `viewers`
    (tokens), each request is sent by the next viewer in turn."""
    turns = itertools.count()
    for measured, duration in ((False, warmup), (True, seconds)):
        if measured:
            ready.set()
            go.wait()
        latencies, errors = [], []
        stop_at = time.monotonic() + duration
        threads = [
            threading.Thread(
                target=_worker,
                args=(url, method, body, headers, viewers, turns, stop_at, latencies, errors),
            )
            for _ in range(connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ordered = sorted(latencies)
    results.put(
        {
            "rps": len(ordered) / seconds,
            "p50": statistics.median(ordered) * 1000 if ordered else None,
            "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else None,
            "errors": len(errors),
            "served": len(ordered) + len(errors),
        }
    )


@contextlib.contextmanager
def _python_load(url, method, body, headers, viewers, args):
    results = multiprocessing.Queue()
    ready = multiprocessing.Event()
    go = multiprocessing.Event()
    process = multiprocessing.Process(
        target=load,
        args=(
            url,
            method,
            body,
            headers,
            viewers,
            args.connections,
            args.seconds,
            2,
            results,
            ready,
            go,
        ),
    )
    process.start()
    ready.wait(timeout=120)

    def run():
        go.set()
        outcome = results.get(timeout=args.seconds + 120)
        process.join()
        return outcome

    yield run


def check_page(url, method="GET", body=None, headers=None) -> None:
    """A benchmark of error answers measures nothing: the page must hold 50 tasks."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request(
        method, parts.path + (f"?{parts.query}" if parts.query else ""), body, headers or {}
    )
    response = connection.getresponse()
    answer = json.loads(response.read())
    results = answer.get("results") or ((answer.get("data") or {}).get("tasks") or {}).get(
        "results"
    )
    if response.status != 200 or "errors" in answer or len(results or []) != 50:
        raise RuntimeError(f"{url} did not answer a page of 50 tasks: {str(answer)[:300]}")


def alternate(rows, compared, suffix, rounds, graphql_page, drf_page, label=""):
    """`rounds` rounds of both pages, the first changing every round."""
    pair = [("graphql", graphql_page), ("drf", drf_page)]
    for round_number in range(1, rounds + 1):
        for name, run in pair if round_number % 2 else reversed(pair):
            row = run()
            row["name"] += f"{label}, round {round_number}"
            compared[name + suffix].append(row)
            rows.append(row)


def measure(name, url, method="GET", body=None, headers=None, *, args, server, viewers=None):
    """One endpoint under load; with `viewers` (tokens), sent by each viewer in turn."""
    headers = headers or {}
    if viewers:
        headers = {**headers, "Authorization": f"Bearer {viewers[0]}"}
    check_page(url, method, body, headers)
    load_with = _wrk if args.load == "wrk" else _python_load
    with load_with(url, method, body, headers, viewers, args) as run:
        # What the server spends per request, warm-up excluded (`run` starts after it).
        cpu_before = _cpu_seconds(server.pid)
        outcome = run()
        cpu = _cpu_seconds(server.pid) - cpu_before
    served = outcome.pop("served")
    return {"name": name, **outcome, "cpu_ms": cpu / served * 1000 if served else None}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _wrk(url, method, body, headers, viewers, args):
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(f"wrk.method = {json.dumps(method)}\n")
        if body is not None:
            script.write(f"wrk.body = {json.dumps(body)}\n")
        for header, value in headers.items():
            script.write(f"wrk.headers[{json.dumps(header)}] = {json.dumps(value)}\n")
        if viewers:
            script.write(f"local viewers = {{{', '.join(json.dumps(v) for v in viewers)}}}\n")
            script.write(
                "local turn = 0\n"
                "request = function()\n"
                "  turn = turn % #viewers + 1\n"
                '  wrk.headers["Authorization"] = "Bearer " .. viewers[turn]\n'
                "  return wrk.format()\n"
                "end\n"
            )
        script.flush()
        command = ["wrk", "-t1", f"-c{args.connections}", "-s", script.name, "--latency"]
        subprocess.run([*command, "-d2s", url], capture_output=True, check=True)

        def run():
            output = subprocess.run(
                [*command, f"-d{args.seconds}s", url], capture_output=True, check=True, text=True
            ).stdout
            failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
            socket_errors = re.search(r"Socket errors: (.*)", output)
            errors = int(failed.group(1)) if failed else 0
            if socket_errors:
                errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
            return {
                "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
                "p50": _wrk_ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
                "p99": _wrk_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
                "errors": errors,
                "served": int(re.search(r"(\d+) requests in", output).group(1)),
            }

        yield run


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def count_instructions(port: int, requests: int, pages: dict) -> dict[str, float]:
    """Machine instructions the server executes per request of each page, caches off.

    Counted by valgrind's callgrind (`apt-get install valgrind`), which runs the server ~50x
    slower but counts exactly: on a shared or throttled machine req/s and CPU time drift by
    10% between runs, an instruction count by a fraction of a percent. Every thread of the
    server is counted, from the first byte of a request read to the last written; only the
    measured requests, after a warm-up of each page. The count is not the time (memory stalls
    are not instructions), so it complements the load test rather than replacing it.
    """
    with tempfile.TemporaryDirectory() as directory:
        server = start_server(
            port,
            cache_on=False,
            under=(
                "valgrind",
                "--quiet",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={directory}/callgrind.out",
            ),
            wait=600,
        )
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

            turns = itertools.count()

            def send(page, times):
                for _ in range(times):
                    headers = page["headers"]
                    if page.get("viewers"):
                        viewer = page["viewers"][next(turns) % len(page["viewers"])]
                        headers = {**headers, "Authorization": f"Bearer {viewer}"}
                    connection.request(page["method"], page["path"], page["body"], headers)
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        raise RuntimeError(f"{page['path']} answered {response.status}")

            def control(*options):
                subprocess.run(
                    ["callgrind_control", *options, str(server.pid)],
                    capture_output=True,
                    check=True,
                )

            for page in pages.values():
                send(page, 20)
            control("-i", "on")
            counts = {}
            for name, page in pages.items():
                control("-z")
                send(page, requests)
                dumped = set(Path(directory).iterdir())
                control("-d")
                (dump,) = set(Path(directory).iterdir()) - dumped
                total = re.search(r"^(?:summary|totals): (\d+)", dump.read_text(), re.MULTILINE)
                counts[name] = int(total.group(1)) / requests
            return counts
        finally:
            server.terminate()
            server.wait(timeout=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8400)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--load", choices=["python", "wrk"], default="python", help="the load generator"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternated rounds of GraphQL and the DRF view"
    )
    parser.add_argument(
        "--viewers",
        type=int,
        default=2000,
        help="members who take turns sending the requests of the viewer-by-viewer rounds",
    )
    parser.add_argument(
        "--viewer-rounds",
        type=int,
        default=4,
        help="alternated rounds of GraphQL and the DRF view, each request from the next viewer",
    )
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="also count the server's instructions over N requests of the uncached GraphQL "
        "page and of the DRF view (valgrind; takes minutes)",
    )
    args = parser.parse_args()
    if args.load == "wrk" and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt-get install valgrind)")

    setup_django()
    token, viewers = seed(args.tasks, args.viewers)
    auth = {"Authorization": f"Bearer {token}"}
    graphql = {
        "method": "POST",
        "body": json.dumps({"query": GRAPHQL_PAGE}),
        "headers": {**auth, "Content-Type": "application/json"},
    }
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    compared = {"graphql": [], "drf": [], "graphql_viewers": [], "drf_viewers": []}
    load_before = os.getloadavg()
    for cache_on in (False, True):
        server = start_server(args.port, cache_on)
        label = "caches on" if cache_on else "caches off"
        try:
            rows.append(
                measure(
                    f"REST /api/tasks/?page_size=50 ({label})",
                    f"{base}/api/tasks/?page_size=50",
                    headers=auth,
                    args=args,
                    server=server,
                )
            )
            graphql_page = functools.partial(
                measure,
                f"GraphQL tasks, limit 50 ({label})",
                f"{base}/graphql/",
                **graphql,
                args=args,
                server=server,
            )
            if cache_on:
                rows.append(graphql_page())
                continue
            drf_page = functools.partial(
                measure,
                "hand-optimized DRF view /bench/tasks/",
                f"{base}/bench/tasks/",
                headers=auth,
                args=args,
                server=server,
            )
            # The comparison of the issue, after one unrecorded run of each (a fresh server's
            # first seconds are slower, and would fall on whichever door went first). Then
            # alternated, the first door changing every round, so that the machine's drift and
            # what one measurement leaves behind (caches, PostgreSQL's state) fall on both.
            graphql_page()
            drf_page()
            alternate(rows, compared, "", args.rounds, graphql_page, drf_page)
            # A different viewer at every request, as for the first read of a list by each of
            # many users.
            alternate(
                rows,
                compared,
                "_viewers",
                args.viewer_rounds,
                functools.partial(graphql_page, viewers=viewers),
                functools.partial(drf_page, viewers=viewers),
                label=f", each request from the next of {len(viewers):,} viewers",
            )
        finally:
            server.terminate()
            server.wait(timeout=30)

    load_after = os.getloadavg()
    print(
        f"\n{args.tasks:,} tasks, page of 50 with assignee and project, "
        f"{args.connections} connections, {args.seconds} s each, 1 Uvicorn worker, "
        f"load from {args.load}; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n"
    )
    print("| endpoint | req/s | p50 ms | p99 ms | server CPU ms/request | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['name']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} "
            f"| {row['cpu_ms']:.2f} | {row['errors']} |"
        )
    for suffix, what in (("", "one viewer"), ("_viewers", f"{len(viewers):,} viewers in turn")):
        graphql_rows, drf_rows = compared["graphql" + suffix], compared["drf" + suffix]
        if not graphql_rows:
            continue
        graphql_rps = sum(row["rps"] for row in graphql_rows)
        drf_rps = sum(row["rps"] for row in drf_rows)
        print(
            f"\nUncached GraphQL against the hand-optimized DRF view, {what}, over "
            f"{len(graphql_rows)} rounds: {graphql_rps / drf_rps:.2f}x the requests per second, "
            f"server CPU {statistics.mean(row['cpu_ms'] for row in graphql_rows):.2f} against "
            f"{statistics.mean(row['cpu_ms'] for row in drf_rows):.2f} ms a request."
        )
    if args.instructions:
        counts = count_instructions(
            args.port,
            args.instructions,
            {
                "graphql": {**graphql, "path": "/graphql/"},
                "drf": {"method": "GET", "path": "/bench/tasks/", "body": None, "headers": auth},
                "graphql_viewers": {**graphql, "path": "/graphql/", "viewers": viewers},
            },
        )
        print(
            f"Server instructions per request over {args.instructions} requests each: GraphQL "
            f"{counts['graphql'] / 1e6:.2f} million, the DRF view {counts['drf'] / 1e6:.2f} "
            f"million ({counts['graphql'] / counts['drf']:.3f}x); GraphQL with each request "
            f"from another viewer {counts['graphql_viewers'] / 1e6:.2f} million "
            f"({counts['graphql_viewers'] / counts['drf']:.3f}x)."
        )


if __name__ == "__main__":
    main()
