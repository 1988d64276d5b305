"""Load test: the mixed workload of bench/locustfile.py against 1 or N Uvicorn processes behind
nginx, stepped in users until the processes saturate, with K subscriptions open throughout.

    make bench-install          # Locust in its own virtualenv, .venv-bench (requirements-bench.txt)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stride_load \\
      REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/load.py \\
      --processes 1 --steps 20,40,80 --seconds 30 --subscribers 200

Everything runs on this machine and stops by itself: the servers listen on the loopback only,
the user count is capped (--steps, at most MAX_USERS) and so is each step's time (MAX_SECONDS).

What it does, in order:
1. Seeds the database DATABASE_URL names when it holds fewer than --tasks tasks
   (`manage.py seed_tasks`, 500 users in 100 projects), and writes the plan Locust reads: for
   --people seed users, an access token, up to three of their projects with members and tasks.
2. Starts --processes Uvicorn processes and nginx in front of them as `make scale` does
   (scripts/scale.py's commands and nginx configuration; DEBUG off), all sharing one
   PROMETHEUS_MULTIPROC_DIR so that /metrics adds up every process.
3. Opens --subscribers graphql-transport-ws sockets in a child process (asyncio), each a seed
   user subscribed to `taskChanged` of one of their projects, through nginx; they stay open for
   the whole run. The workload's titles carry the moment they were sent, so each delivered
   event's latency is known.
4. For each step: Locust (headless, `--reset-stats` after the ramp) for --seconds, then from
   Locust's CSV requests/s, p50/p95/p99 and failures; from /metrics before and after, SQL
   statements and Redis commands per HTTP request; from /proc, CPU time of the web processes,
   nginx, PostgreSQL, Redis and Locust per request. It stops stepping after the first step
   whose error rate is over 1% or whose p95 is over 2 s (saturated).
Prints a Markdown table; --json writes the raw figures. No Celery worker or beat runs (the web
processes are measured): the jobs the workload submits wait in the bench's queue
(CELERY_QUEUE), emptied at the end.
"""

import argparse
import asyncio
import csv
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("CELERY_QUEUE", "stride-load")
# The plan's tokens must outlive the run.
os.environ.setdefault("JWT_ACCESS_MINUTES", "240")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.projects.models import Membership  # noqa: E402
from backend.tasks.models import Task  # noqa: E402
from scripts import scale  # noqa: E402

BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
MAX_USERS = 2000
MAX_SECONDS = 300
SATURATED_ERROR_RATE = 0.01
SATURATED_P95_MS = 2000
TASKS_PER_PROJECT = 200

SUBSCRIPTION = """subscription Board($project: ID) { taskChanged(projectId: $project) {
  kind task { id title version } } }"""
STAMPED = re.compile(r"^(?:Load|Edited) (\d+\.\d+)")
FRESH_TITLE_KINDS = ("CREATED", "UPDATED")


# 1. Data and plan


def prepare(args) -> dict:
    call_command("migrate", verbosity=0)
    if Task.objects.count() < args.tasks:
        call_command(
            "seed_tasks", count=args.tasks, users=500, projects=100, random_seed=1, verbosity=0
        )
    rng = random.Random(1)  # a repeatable choice of people
    members_of: dict[int, list[int]] = {}
    for project_id, user_id in Membership.objects.values_list("project_id", "user_id"):
        members_of.setdefault(project_id, []).append(user_id)
    projects_of: dict[int, list[int]] = {}
    for project_id, members in members_of.items():
        for user_id in members:
            projects_of.setdefault(user_id, []).append(project_id)
    seed_users = list(
        User.objects.filter(username__startswith="seed-", id__in=projects_of).order_by("id")
    )
    tasks_of: dict[int, list[str]] = {}
    people = []
    for user in rng.sample(seed_users, min(args.people, len(seed_users))):
        projects = []
        for project_id in rng.sample(projects_of[user.id], min(3, len(projects_of[user.id]))):
            if project_id not in tasks_of:
                ids = Task.objects.filter(project_id=project_id).values_list("id", flat=True)
                tasks_of[project_id] = [str(i) for i in ids.order_by("?")[:TASKS_PER_PROJECT]]
            # Creators may change their tasks (so may assignees, but an assignment moves that).
            mine = Task.objects.filter(project_id=project_id, created_by=user)
            projects.append(
                {
                    "id": str(project_id),
                    "members": [str(m) for m in members_of[project_id]],
                    "tasks": tasks_of[project_id],
                    "mine": [str(i) for i in mine.values_list("id", flat=True)[:TASKS_PER_PROJECT]],
                }
            )
        people.append({"token": str(AccessToken.for_user(user)), "projects": projects})
    return {"people": people, "tasks": Task.objects.count()}


# 2. Servers


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the process on port {port} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


class Servers:
    """N Uvicorn processes on port+1.. and nginx on port, stopped on exit."""

    def __init__(self, args, tmp: Path):
        self.args, self.tmp = args, tmp
        self.metrics_token = secrets.token_urlsafe(32)
        self.web: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None

    def __enter__(self):
        multiproc = self.tmp / "prometheus"
        multiproc.mkdir()
        env = {
            **os.environ,
            "DEBUG": "0",
            "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
            "METRICS_TOKEN": self.metrics_token,
            "TRUSTED_PROXIES": "127.0.0.1/32",
            "DATABASE_POOL_MAX_SIZE": str(self.args.pool),
        }
        ports = [self.args.port + 1 + index for index in range(self.args.processes)]
        for port in ports:
            with open(self.tmp / f"web-{port}.log", "w") as log:
                self.web.append(
                    subprocess.Popen(
                        [*scale.web_command(port), *self.args.uvicorn_option],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=log,
                    )
                )
        for port, process in zip(ports, self.web, strict=True):
            wait_for_port(port, process)
        # nginx as `make scale` configures it.
        prefix = self.tmp / "nginx"
        config = scale.nginx_config(
            listen=f"127.0.0.1:{self.args.port}",
            upstreams=[f"127.0.0.1:{port}" for port in ports],
            static_root=ROOT / "staticfiles",
            prefix=prefix,
        )
        command = scale.nginx_command(scale.prepare_nginx(config, prefix), prefix)
        self.nginx = subprocess.Popen(command)
        wait_for_port(self.args.port, self.nginx)
        return self

    def __exit__(self, *exc):
        for process in [*self.web, self.nginx]:
            if process and process.poll() is None:
                process.terminate()
        for process in [*self.web, self.nginx]:
            if process:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()

    def pids(self) -> dict[str, list[int]]:
        nginx = [self.nginx.pid, *children(self.nginx.pid)] if self.nginx else []
        return {"web": [p.pid for p in self.web], "nginx": nginx}

    def metrics(self) -> dict[str, float]:
        """The counters this benchmark reads, summed over labels; {} when /metrics is absent."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.args.port + 1}/metrics",
            headers={"Authorization": f"Bearer {self.metrics_token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
        except OSError:
            return {}
        totals: dict[str, float] = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name_labels, _, value = line.rpartition(" ")
            name, _, labels = name_labels.partition("{")
            if name == "stride_redis_commands_total":
                client = re.search(r'client="([^"]*)"', labels)
                name = f"redis_{client.group(1) if client else 'all'}"
            elif name == "stride_http_requests_total":
                name = "http"
            elif name == "stride_db_queries_total":
                name = "sql"
            else:
                continue
            totals[name] = totals.get(name, 0.0) + float(value)
        return totals


# 3. Subscribers (a child process)


def subscribe(address: str, plan: dict, count: int, counters: dict, stop_event):
    import uvloop
    from websockets.asyncio.client import connect

    async def one(person, project_id, latencies):
        async with connect(
            f"ws://{address}/graphql/", subprotocols=["graphql-transport-ws"], open_timeout=60
        ) as ws:
            init = {
                "type": "connection_init",
                "payload": {"authorization": f"Bearer {person['token']}"},
            }
            await ws.send(json.dumps(init))
            if json.loads(await ws.recv())["type"] != "connection_ack":
                raise RuntimeError("no connection_ack")
            payload = {"query": SUBSCRIPTION, "variables": {"project": project_id}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            with counters["open"].get_lock():
                counters["open"].value += 1
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] != "next":
                    if message["type"] == "error":
                        raise RuntimeError(raw[:200])
                    continue
                change = (message["payload"].get("data") or {}).get("taskChanged") or {}
                # Only a creation or an edit carries the title just written: an assignment or a
                # comment carries the task's title as an earlier change left it.
                fresh = change.get("kind") in FRESH_TITLE_KINDS and change.get("task")
                stamp = STAMPED.match(change["task"]["title"]) if fresh else None
                if stamp:
                    latencies.append(time.time() - float(stamp.group(1)))
                with counters["events"].get_lock():
                    counters["events"].value += 1

    async def guarded(person, project_id, latencies):
        try:
            await one(person, project_id, latencies)
        except asyncio.CancelledError:
            raise
        except Exception:  # any end of a socket before the run's end counts
            with counters["failed"].get_lock():
                counters["failed"].value += 1

    async def run():
        latencies: list[float] = []
        tasks = []
        people = plan["people"]
        for index in range(count):
            person = people[index % len(people)]
            project = person["projects"][index // len(people) % len(person["projects"])]
            tasks.append(asyncio.ensure_future(guarded(person, project["id"], latencies)))
            if index % 50 == 49:
                await asyncio.sleep(0.2)
        while not stop_event.is_set():
            await asyncio.sleep(0.5)
            if len(latencies) > 200_000:
                del latencies[:100_000]
            # The parent asks for the latencies seen since its last question.
            while not counters["ask"].empty():
                counters["ask"].get_nowait()
                counters["answer"].put(latencies[:])
                latencies.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    uvloop.run(run())


class Subscribers:
    def __init__(self, address: str, plan: dict, count: int):
        ctx = multiprocessing.get_context("fork")
        self.counters = {
            "open": ctx.Value("q", 0),
            "failed": ctx.Value("q", 0),
            "events": ctx.Value("q", 0),
            "ask": ctx.Queue(),
            "answer": ctx.Queue(),
        }
        self.stop = ctx.Event()
        self.count = count
        self.process = ctx.Process(
            target=subscribe, args=(address, plan, count, self.counters, self.stop), daemon=True
        )

    def __enter__(self):
        if self.count:
            self.process.start()
            deadline = time.monotonic() + 120
            while self.counters["open"].value + self.counters["failed"].value < self.count:
                if time.monotonic() > deadline:
                    raise SystemExit(f"only {self.counters['open'].value} subscriptions opened")
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        if self.count:
            self.stop.set()
            self.process.join(timeout=30)
            if self.process.is_alive():
                self.process.kill()

    def latencies(self) -> list[float]:
        if not self.count:
            return []
        self.counters["ask"].put(1)
        return self.counters["answer"].get(timeout=30)

    def state(self) -> dict:
        return {key: self.counters[key].value for key in ("open", "failed", "events")}


# 4. Steps


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def cpu_seconds(pids) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return seconds


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process that started in between counts whole (one
    that ended in between is not seen: PostgreSQL's backends of this database are the pool's,
    which stay)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def pids_of(name: str, argument: str | None = None) -> list[int]:
    """Processes called `name` (and, when given, with `argument` among their words)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != name:
                    continue
                words = (entry / "cmdline").read_text().replace("\0", " ").split()
            except OSError:
                continue
            if argument is None or argument in words:
                found.append(int(entry.name))
    return found


def machine_busy() -> tuple[float, float]:
    """(busy, total) seconds of all cores, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    ticks = os.sysconf("SC_CLK_TCK")
    return (total - idle) / ticks, total / ticks


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_step(args, servers: Servers, subscribers: Subscribers, users: int, tmp: Path) -> dict:
    prefix = tmp / f"step-{users}"
    spawn_rate = max(1, users // 5)
    command = [
        str(BENCH_PYTHON),
        *("-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"),
        *("-u", str(users), "-r", str(spawn_rate), "-t", f"{args.seconds + 6}s"),
        *("--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix)),
        *("--reset-stats", "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "5"),
    ]
    env = {**os.environ, "LOAD_PLAN": str(tmp / "plan.json")}
    with open(f"{prefix}.log", "w") as log:
        locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    # The ramp (5 s at users/5 a second) is not measured: Locust resets its statistics when all
    # users run; the server-side counters are read from then on too.
    time.sleep(6)
    subscribers.latencies()
    pids = servers.pids()
    groups = {
        "web": lambda: pids["web"],
        "nginx": lambda: pids["nginx"],
        # The backends serving this database (others' databases share the server).
        "postgres": lambda: pids_of("postgres", settings.DATABASES["default"]["NAME"]),
        # The one Redis server, shared with whatever else runs on the machine.
        "redis": lambda: pids_of("redis-server"),
    }
    before_cpu = {name: cpu_seconds(find()) for name, find in groups.items()}
    before_machine = machine_busy()
    before_metrics = servers.metrics()
    before_subs = subscribers.state()
    load_before = os.getloadavg()[0]
    # Locust's own CPU (ramp included) once it has ended: it is this process's only child to end.
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        locust.wait(timeout=args.seconds + 60)
    except subprocess.TimeoutExpired:
        locust.kill()
        raise
    children_used = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_metrics = servers.metrics()
    after_cpu = {name: cpu_seconds(find()) for name, find in groups.items()}
    cpu = {name: cpu_used(before_cpu[name], after_cpu[name]) for name in groups}
    cpu["locust"] = sum(
        getattr(children_used, field) - getattr(before_children, field)
        for field in ("ru_utime", "ru_stime")
    )
    after_machine = machine_busy()
    after_subs = subscribers.state()
    latencies = subscribers.latencies()

    with open(f"{prefix}_stats.csv") as stats_file:
        rows = {row["Name"]: row for row in csv.DictReader(stats_file)}
    total = rows["Aggregated"]
    requests = int(total["Request Count"])
    failures = int(total["Failure Count"])
    seconds = args.seconds
    counted = {k: after_metrics.get(k, 0) - before_metrics.get(k, 0) for k in after_metrics}
    http = counted.get("http") or None
    busy = after_machine[0] - before_machine[0]
    wall = after_machine[1] - before_machine[1]
    result = {
        "users": users,
        "requests": requests,
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
        "failures": failures,
        "error_rate": round(failures / requests, 5) if requests else None,
        "sql_per_request": round(counted["sql"] / http, 2) if http and "sql" in counted else None,
        "redis_per_request": {
            k.removeprefix("redis_"): round(v / http, 2)
            for k, v in counted.items()
            if k.startswith("redis_") and http
        },
        "server_http_requests": http,
        "cpu_ms_per_request": {name: round(used * 1000 / requests, 2) for name, used in cpu.items()}
        if requests
        else {},
        "cpu_cores_busy": {name: round(used / seconds, 2) for name, used in cpu.items()},
        "machine_busy_fraction": round(busy / wall, 3) if wall else None,
        # This database's keys (cache, rate limits, channel layer, the job queue) and the whole
        # server's memory, which other users of the same Redis share.
        "redis_keys": redis_client().dbsize(),
        "redis_used_mb": round(redis_client().info("memory")["used_memory"] / 2**20, 1),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "subscriptions_open": after_subs["open"] - after_subs["failed"],
        "subscriptions_failed": after_subs["failed"] - before_subs["failed"],
        "events_received": after_subs["events"] - before_subs["events"],
        "event_p50_ms": round(percentile(latencies, 0.5) * 1000, 1) if latencies else None,
        "event_p99_ms": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
        "by_name": {
            name: {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
            }
            for name, row in rows.items()
            if name != "Aggregated" and int(row["Request Count"])
        },
    }
    with open(f"{prefix}_failures.csv") as failures_file:
        result["failure_kinds"] = [
            f"{row['Name']}: {row['Error'][:160]} x{row['Occurrences']}"
            for row in csv.DictReader(failures_file)
        ][:10]
    return result


def table(results: list[dict]) -> str:
    head = (
        "| users | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | Redis/req (cache, "
        "channel layer) | web CPU ms/req | PG CPU ms/req | machine busy | events (p99 ms) | load |"
    )
    lines = [head, "|" + " ---: |" * 13]
    for r in results:
        redis = r["redis_per_request"]
        lines.append(
            f"| {r['users']} | {r['rps']} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['p99_ms']:.0f} | {r['failures']}/{r['requests']} | {r['sql_per_request']} | "
            f"{redis.get('cache', '-')}, {redis.get('channel_layer', '-')} | "
            f"{r['cpu_ms_per_request'].get('web')} | {r['cpu_ms_per_request'].get('postgres')} | "
            f"{r['machine_busy_fraction']:.0%} | {r['events_received']} ({r['event_p99_ms']}) | "
            f"{r['load_before']} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=1, help="Uvicorn processes")
    parser.add_argument("--steps", default="20,40,80,120,160,240", help="users per step")
    parser.add_argument("--seconds", type=int, default=30, help="measured seconds per step")
    parser.add_argument("--subscribers", type=int, default=200, help="open subscriptions (K)")
    parser.add_argument("--people", type=int, default=300, help="seed users the workload uses")
    parser.add_argument("--tasks", type=int, default=100_000, help="seed up to this many tasks")
    parser.add_argument("--pool", type=int, default=20, help="database pool per process")
    parser.add_argument("--port", type=int, default=8460, help="nginx; Uvicorn on the next ones")
    parser.add_argument(
        "--uvicorn-option", action="append", default=[], help="passed to each Uvicorn process"
    )
    parser.add_argument("--no-stop", action="store_true", help="run every step, saturated or not")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    if max(steps) > MAX_USERS or not 1 <= args.seconds <= MAX_SECONDS:
        raise SystemExit(f"at most {MAX_USERS} users and {MAX_SECONDS} s a step")
    if not BENCH_PYTHON.exists():
        raise SystemExit("Locust is missing: make bench-install")

    # The code measured is the code at the start (the checkout may move during a long run).
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="stride-load-"))
    try:
        plan = prepare(args)
        (tmp / "plan.json").write_text(json.dumps(plan))
        print(
            f"{plan['tasks']} tasks, {len(plan['people'])} people; {args.processes} process(es)",
            file=sys.stderr,
            flush=True,
        )
        results = []
        address = f"127.0.0.1:{args.port}"
        with Servers(args, tmp) as servers, Subscribers(address, plan, args.subscribers) as subs:
            print(f"subscriptions: {subs.state()}", file=sys.stderr, flush=True)
            for users in steps:
                result = run_step(args, servers, subs, users, tmp)
                results.append(result)
                print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
                saturated = (result["error_rate"] or 0) > SATURATED_ERROR_RATE or result[
                    "p95_ms"
                ] > SATURATED_P95_MS
                if saturated and not args.no_stop:
                    break
        summary = {
            "machine": f"{platform.node()}, {os.cpu_count()} cores",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "commit": commit,
            "processes": args.processes,
            "subscribers": args.subscribers,
            "seconds": args.seconds,
            "tasks": plan["tasks"],
            "uvicorn_options": args.uvicorn_option,
            "steps": results,
        }
        if args.json:
            args.json.write_text(json.dumps(summary, indent=2))
        print(table(results))
    finally:
        empty_job_queue()
        shutil.rmtree(tmp, ignore_errors=True)


def redis_client():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def empty_job_queue():
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    main()
