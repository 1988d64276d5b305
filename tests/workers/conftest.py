"""Real workers for the tests that need one: a `celery worker` process on the real broker,
reading the test database, sending e-mail to a real SMTP server on loopback (aiosmtpd)."""

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests.faults import RedisServer
from workers import celery_app

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")
SMTP_PORTS = range(2525, 2600)
WORKER_START_TIMEOUT = 30


def wait_for(predicate, *, timeout=20.0, interval=0.05, message="condition"):
    """Poll until `predicate()` is truthy and return its value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {message}")


def free_port(ports=SMTP_PORTS) -> int:
    """A port nobody listens on, picked at random: test runs in parallel processes on one
    machine then rarely pick the same one (an SMTP server started late, to play an outage,
    leaves its port unbound for a while)."""
    for port in random.sample(ports, len(ports)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {ports}")


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        from email import message_from_bytes, policy

        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


class SMTPServer:
    """A real SMTP server on loopback that can be started late, to play an outage."""

    def __init__(self, port):
        self.port = port
        self.inbox = Inbox()
        self.controller = None

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """A running SMTP server; `smtp_server.inbox.messages()` is what it received."""
    server = SMTPServer(smtp_port)
    server.start()
    yield server
    server.stop()


def database_url_of_tests() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


class Worker:
    """A `celery worker` process; `kill_child()` plays the OOM killer on its pool process."""

    def __init__(self, process, log_path, hostname):
        self.process = process
        self.log_path = log_path
        self.hostname = hostname

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def pool_children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_child(self):
        (child,) = self.pool_children()
        os.kill(child, signal.SIGKILL)
        return child

    def die(self):
        """Vanish without a word, as a machine that loses power: nothing is handed back."""
        children = self.pool_children()
        self.process.kill()
        self.process.wait()
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def real_broker(transactional_db):
    """The test process sends tasks to the broker instead of running them in-process, on a
    queue of its own, emptied first."""
    queue = celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    yield queue
    celery_app.control.purge()
    celery_app.conf.task_always_eager = True


def _use_broker(url: str) -> None:
    """Point the test process's Celery app at the broker `url`, with fresh connections."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_broker(real_broker):
    """A Redis of the test's own as the broker of the test process (and of the workers it
    starts with `broker_url=private_broker.url`): the test kills and restarts it at will."""
    server = RedisServer().start()
    shared = celery_app.conf.broker_url
    _use_broker(server.url)
    yield server
    _use_broker(shared)
    server.close()


@pytest.fixture
def start_worker(real_broker, tmp_path):
    """Start worker processes: `start_worker(EMAIL_URL=..., JOB_PROCESS_SECONDS="2")`."""
    workers = []

    def start(*, concurrency=1, broker_url=None, **environment) -> Worker:
        hostname = f"test-{uuid.uuid4().hex[:8]}@localhost"
        log_path = tmp_path / f"{hostname}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DEBUG": "0",
            "SECRET_KEY": "tests-only-secret-key-never-used-anywhere-else-7f3a9c2e",
            "DATABASE_URL": database_url_of_tests(),
            "CELERY_QUEUE": real_broker,
            "CELERY_BROKER_URL": broker_url or celery_app.conf.broker_url,
            "JOB_PROCESS_SECONDS": "0",
            "TASK_RETRY_BACKOFF_SECONDS": "0.5",
            "EMAIL_URL": "smtp://127.0.0.1:1",
            "EMAIL_TIMEOUT": "5",
            **environment,
        }
        command = [
            CELERY, "-A", "workers", "worker", "--loglevel", "info", "--hostname", hostname,
            "--concurrency", str(concurrency), "--queues", real_broker,
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with log_path.open("w") as log:
            process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
            )
        worker = Worker(process, log_path, hostname)
        workers.append(worker)
        wait_for(
            lambda: " ready." in worker.log() or process.poll() is not None,
            timeout=WORKER_START_TIMEOUT,
            message="the worker to start",
        )
        assert process.poll() is None, worker.log()
        return worker

    yield start
    for worker in workers:
        worker.stop()
