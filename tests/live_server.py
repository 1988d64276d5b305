"""Stride served by a real Uvicorn process on the test database, for the tests that go through
real clients: a WebSocket library (tests/realtime/test_real_server.py), a browser (tests/web/)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("STRIDE_TEST_SERVER_PORT", "8301"))
SERVER_APPLICATION_NAME = "stride-test-server"


class LiveServer:
    """`start()` and `stop()` may alternate, to play a restart; `address` stays the same."""

    def __init__(self, port: int = PORT, log_path: Path | None = None, **environment):
        self.port = port
        self.log_path = log_path  # where its output goes, for tests that read its logs
        self.environment = environment
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def application_name(self) -> str:
        """Its database sessions' name: one server stopping waits for its own only."""
        return f"{SERVER_APPLICATION_NAME}-{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> "LiveServer":
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}",
            "DATABASE_POOL_MIN_SIZE": "1",
            "PGAPPNAME": self.application_name,
            **self.environment,
        }
        log = self.log_path.open("a") if self.log_path is not None else None
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "backend.asgi:application"),
                *("--port", str(self.port), "--timeout-graceful-shutdown", "1"),
                # As the image runs it: Stride reads X-Forwarded-For itself (TRUSTED_PROXIES).
                "--no-proxy-headers",
                *("--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        if log is not None:
            log.close()  # the server has its own copy
        _wait_until_listening(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        _wait_until_disconnected_from_database(self.application_name)


def _wait_until_disconnected_from_database(application_name, timeout=10):
    """PostgreSQL ends a dead client's sessions a moment later; the test database can only be
    dropped once they are gone."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                [application_name],
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
