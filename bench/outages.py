"""Issue 14's target probe: a 10 s Redis outage and a 10 s PostgreSQL outage under writes.

Runs the stack as `make run` does (web server, Celery worker and beat, under scripts/run.py's
Supervisor) on a database of its own, with a Redis of its own (broker, cache, channel layer),
which it kills and starts again empty, and with a TCP proxy in front of PostgreSQL, which it
cuts. Meanwhile a client keeps assigning tasks (each an e-mail) and submitting jobs over
GraphQL. Then it waits for the work to drain and counts: process exits, e-mails lost or doubled
(at a local SMTP server), jobs not completed, HTTP 5xx answers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stride_x .venv/bin/python bench/outages.py

The database is `<DATABASE_URL's name>_outages`, created afresh and dropped after.
"""

import argparse
import collections
import contextlib
import json
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import environ  # noqa: E402
import psycopg  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from scripts.run import Supervisor  # noqa: E402
from tests.faults import RedisServer, TcpProxy, free_port  # noqa: E402

PYTHON = sys.executable
CELERY = str(Path(PYTHON).parent / "celery")
SECRET_KEY = "bench-only-secret-key-" + "0123456789abcdef" * 3
ASSIGN = """mutation($taskId: ID!, $assigneeId: ID) {
  assignTask(taskId: $taskId, assigneeId: $assigneeId) {
    ... on Task { id version } ... on OperationInfo { messages { code } } } }"""
SUBMIT = """mutation($input: JobInput!) {
  submitJob(input: $input) { ... on Job { id } ... on OperationInfo { messages { code } } } }"""


class Inbox:
    def __init__(self):
        self.subjects = collections.Counter()

    async def handle_DATA(self, server, session, envelope):
        subject = next(
            line[len("Subject: ") :]
            for line in envelope.content.decode(errors="replace").splitlines()
            if line.startswith("Subject: ")
        )
        self.subjects[subject] += 1
        return "250 OK"


def database_urls(base_url: str, proxy_port: int) -> tuple[str, str, str]:
    config = environ.Env.db_url_config(base_url)
    name = f"{config['NAME']}_outages"
    user = config["USER"] or "postgres"
    direct = f"postgres://{user}@127.0.0.1:{config['PORT'] or 5432}/{name}"
    proxied = f"postgres://{user}@127.0.0.1:{proxy_port}/{name}"
    return name, direct, proxied


def recreate_database(name: str) -> None:
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Client:
    """Keeps writing over GraphQL and records every answer by phase."""

    def __init__(self, url, token, task_ids, assignee_id, period):
        self.url = url
        self.token = token
        self.task_ids = list(task_ids)
        self.assignee_id = assignee_id
        self.period = period
        self.phase = "before"
        self.answers = collections.defaultdict(list)  # phase -> [(status, seconds, ok)]
        self.stopping = threading.Event()

    def post(self, query, variables):
        request = urllib.request.Request(
            f"{self.url}/graphql/",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        phase, began = self.phase, time.monotonic()  # counted in the phase it was sent in
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            status, body = f"no answer ({type(error).__name__})", b""
        seconds = time.monotonic() - began
        ok = status == 200 and b'"errors"' not in body and b"messages" not in body
        self.answers[phase].append((status, seconds, ok, body[:200]))

    def run(self):
        number = 0
        while not self.stopping.is_set() and self.task_ids:
            if number % 2 == 0:
                task_id = self.task_ids.pop()
                self.post(ASSIGN, {"taskId": task_id, "assigneeId": self.assignee_id})
            else:
                self.post(SUBMIT, {"input": {"title": f"Outage job {number}"}})
            number += 1
            self.stopping.wait(self.period)


def count_statuses(answers, wanted) -> int:
    return sum(
        1
        for phase in answers.values()
        for status, *_ in phase
        if isinstance(status, int) and wanted(status)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage-seconds", type=float, default=10)
    parser.add_argument("--period", type=float, default=0.4, help="seconds between writes")
    parser.add_argument("--drain-seconds", type=float, default=240)
    arguments = parser.parse_args()

    redis = RedisServer().start()
    proxy = TcpProxy(5432).start()
    name, direct_url, proxied_url = database_urls(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stride"), proxy.port
    )
    recreate_database(name)
    inbox = Inbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    web_port = int(os.environ.get("STRIDE_TEST_SERVER_PORT", "8000"))
    environment = {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": proxied_url,
        "REDIS_URL": redis.url,
        "CELERY_BROKER_URL": redis.url,
        "CELERY_RESULT_BACKEND": redis.url,
        "CELERY_QUEUE": "stride-outages",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "JOB_PROCESS_SECONDS": "1-2",
        # make run's short redelivery, shorter still: work the killed Redis lost comes back
        # within a minute (visibility + time limit) rather than four.
        "CELERY_VISIBILITY_TIMEOUT": "30",
        "CELERY_TASK_SOFT_TIME_LIMIT": "15",
        "CELERY_TASK_TIME_LIMIT": "20",
        "TASK_RETRY_BACKOFF_MAX_SECONDS": "10",
        "THROTTLE_USER_RATE": "100000/min",
        "THROTTLE_ANON_RATE": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(environment)
    os.environ["DATABASE_URL"] = direct_url  # this process: set-up and counting, not cut
    import django

    django.setup()
    from django.core.management import call_command

    from backend.accounts.models import User
    from backend.accounts.services import tokens_for
    from backend.jobs.models import Job, JobStatus
    from backend.tasks.models import Task

    call_command("migrate", verbosity=0)
    alice = User.objects.create_user("alice", "alice@example.com", "bench-pass-1")
    bob = User.objects.create_user("bob", "bob@example.com", "bench-pass-1")
    Task.objects.bulk_create(Task(title=f"Outage task {n}", created_by=alice) for n in range(2000))
    # Personal tasks may only be assigned to their creator: bob gets alice's through a project.
    from backend.projects.services import add_project_member, create_project

    project = create_project(actor=alice, name="Outages")
    add_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    Task.objects.update(project=project)
    token = tokens_for(alice).access_token
    from django.db import connection

    connection.close()

    os.environ["DATABASE_URL"] = proxied_url
    commands = {
        "web": [
            *(PYTHON, "-m", "uvicorn", "backend.asgi:application"),
            *("--port", str(web_port), "--log-level", "warning", "--no-access-log"),
        ],
        "worker": [
            *(CELERY, "-A", "workers", "worker", "--loglevel", "warning"),
            *("--concurrency", "2", "--without-gossip", "--without-mingle"),
        ],
        "beat": [CELERY, "-A", "workers", "beat", "--loglevel", "warning"],
    }
    supervisor = Supervisor(commands, first_delay=1, max_delay=10, stable_after=30)
    supervisor.start()
    client = Client(
        f"http://127.0.0.1:{web_port}",
        token,
        Task.objects.order_by("-id").values_list("id", flat=True),
        bob.id,
        arguments.period,
    )
    stop_polling = threading.Event()

    def supervise():
        while not stop_polling.is_set():
            supervisor.poll()
            time.sleep(0.2)

    threading.Thread(target=supervise, daemon=True).start()
    report = {}
    try:
        time.sleep(8)  # the server and the worker start
        writer = threading.Thread(target=client.run)
        writer.start()
        time.sleep(5)
        client.phase = "redis down"
        redis.stop()
        time.sleep(arguments.outage_seconds)
        redis.start()
        client.phase = "after redis"
        time.sleep(10)
        client.phase = "postgres down"
        proxy.cut()
        time.sleep(arguments.outage_seconds)
        proxy.restore()
        client.phase = "after postgres"
        time.sleep(10)
        client.stopping.set()
        writer.join()

        deadline = time.monotonic() + arguments.drain_seconds
        began_draining = time.monotonic()
        while time.monotonic() < deadline:
            expected = set(Task.objects.filter(assignee=bob).values_list("title", flat=True))
            delivered = {s.removeprefix("[Stride] You were assigned: ") for s in inbox.subjects}
            jobs_open = Job.objects.exclude(status__in=(JobStatus.COMPLETED, JobStatus.FAILED))
            if expected <= delivered and not jobs_open.exists():
                break
            time.sleep(1)
        drained = time.monotonic() - began_draining
        time.sleep(5)  # late doubles, if any

        expected = set(Task.objects.filter(assignee=bob).values_list("title", flat=True))
        delivered = collections.Counter(
            {s.removeprefix("[Stride] You were assigned: "): n for s, n in inbox.subjects.items()}
        )
        jobs = collections.Counter(Job.objects.values_list("status", flat=True))
        report = {
            "load average (1, 5, 15 min)": os.getloadavg(),
            "process exits (restarted)": dict(supervisor.restarts),
            "assignments committed": len(expected),
            "e-mails received": sum(delivered.values()),
            "e-mails lost": len(expected - set(delivered)),
            "e-mails doubled": sum(n - 1 for n in delivered.values() if n > 1),
            "e-mails for no committed assignment": len(set(delivered) - expected),
            "jobs by status": dict(jobs),
            "seconds to drain after the last outage": round(drained + 10, 1),
            # 503 is the doors' deliberate answer while PostgreSQL is away; any other 5xx is not.
            "HTTP 503": count_statuses(client.answers, lambda status: status == 503),
            "HTTP 5xx other than 503": count_statuses(
                client.answers, lambda status: status >= 500 and status != 503
            ),
        }
        for phase, answers in client.answers.items():
            statuses = collections.Counter(str(status) for status, _, _, _ in answers)
            seconds = [s for _, s, _, _ in answers]
            report[f"requests {phase}"] = {
                "statuses": dict(statuses),
                "failed writes": sum(1 for *_, ok, _ in answers if not ok),
                "p50 ms": round(statistics.median(seconds) * 1000),
                "max ms": round(max(seconds) * 1000),
                "5xx samples": [
                    body.decode(errors="replace")
                    for status, _, _, body in answers
                    if isinstance(status, int) and status >= 500
                ][:2],
            }
    finally:
        stop_polling.set()
        client.stopping.set()
        supervisor.stop()
        smtp.stop()
        redis.close()
        proxy.close()
        from django.db import connections

        connections.close_all()
        with contextlib.suppress(Exception):
            drop_database(name)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
