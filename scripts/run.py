"""`make run`: prepare the database and run web, Celery worker and beat in the foreground.

When PostgreSQL or Redis does not answer, Stride runs embedded instead: SQLite, in-memory
channel layer and cache, Celery tasks executed in-process (so no worker or beat is started).
A child that exits is started again, after a backoff (Supervisor); Ctrl-C stops everything.
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.env import new_secret_key, read_dotenv  # noqa: E402
from scripts.check_services import main as check_services  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent


def ensure_database():
    """Create the configured PostgreSQL database when it does not exist yet."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stride")
    )
    if "postgresql" not in config["ENGINE"]:
        return
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}.")


def site_url(host: str, port: str) -> str:
    """The address a browser on this machine opens: a server listening on every interface
    (0.0.0.0, ::) is reached through the loopback."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - a name for "every interface", not a bind
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def ensure_secret_key(dotenv: Path) -> None:
    """Give this installation its own random SECRET_KEY, written once to `.env` (git-ignored),
    so that tokens survive restarts and nobody else can sign them."""
    if os.environ.get("SECRET_KEY"):
        return
    key = new_secret_key()
    existing = dotenv.read_text() if dotenv.exists() else ""
    separator = "" if not existing or existing.endswith("\n") else "\n"
    # Readable by its owner only: the key signs every session and token.
    descriptor = os.open(dotenv, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a") as file:
        file.write(f"{separator}# Written by `make run`: signs sessions and tokens.\n")
        file.write(f"SECRET_KEY={key}\n")
    os.environ["SECRET_KEY"] = key
    print(f"Stride: wrote a new random SECRET_KEY to {dotenv.name}.")


def prepare_metrics_directory() -> None:
    """Web, worker and beat count in one directory, so /metrics adds them up; counts of an
    earlier run are wiped, as prometheus-client asks."""
    directory = Path(
        os.environ.setdefault(
            "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="stride-metrics-")
        )
    )
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def manage(*args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def main():
    # A shell starts background jobs with SIGINT ignored, and children would inherit that; a
    # handler of our own makes Ctrl-C, `kill -INT` and `kill -TERM` all mean "stop everything".
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, signal.default_int_handler)

    read_dotenv(ROOT / ".env")
    ensure_secret_key(ROOT / ".env")
    if "--secret-key" in sys.argv:  # `make secret-key`: only that (for docker compose)
        return 0
    os.environ.setdefault("DEBUG", "1")
    # On one machine with one worker, a worker killed mid-task should get its task back within
    # a couple of minutes of restarting, not after production's 15: Redis redelivers after the
    # visibility timeout, which must still exceed the time limit and the retry countdowns.
    for name, value in (
        ("CELERY_VISIBILITY_TIMEOUT", "120"),
        ("CELERY_TASK_SOFT_TIME_LIMIT", "90"),
        ("CELERY_TASK_TIME_LIMIT", "100"),
        ("TASK_RETRY_BACKOFF_MAX_SECONDS", "60"),
    ):
        os.environ.setdefault(name, value)
    prepare_metrics_directory()
    embedded = check_services() != 0
    if embedded:
        os.environ["STRIDE_EMBEDDED"] = "1"
    else:
        ensure_database()
    manage("migrate", "--no-input", "-v", "0")
    manage("load_demo")

    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    # Links in e-mails (sent by the worker) open the pages this server serves.
    os.environ.setdefault("SITE_URL", site_url(host, port))
    # Uvicorn, as in the Docker image, reloaded when the code changes. Daphne (runserver's ASGI
    # server) cannot send WebSocket close code 1013, which tells clients to come back later.
    commands = {
        "web": [
            *(PYTHON, "-m", "uvicorn", "backend.asgi:application", "--reload"),
            *("--host", host, "--port", port, "--timeout-graceful-shutdown", "2"),
        ]
    }
    if not embedded:
        celery = [str(BIN / "celery"), "-A", "workers"]
        # Gossip and mingle (workers telling each other of themselves) serve nothing here, and
        # their reconnection after a broker outage is where kombu has failed (issue 14).
        commands["worker"] = [
            *celery, "worker", "--loglevel", "info", "--concurrency", "2",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        commands["beat"] = [*celery, "beat", "--loglevel", "info"]
    home = os.environ["SITE_URL"]
    print(f"Stride: open {home}/ (GraphiQL at {home}/graphql/); Ctrl-C stops everything")
    return supervise(commands)


def supervise(commands) -> int:
    """Run the named commands under a Supervisor until Ctrl-C (or SIGTERM), then stop them."""
    supervisor = Supervisor(commands)
    try:
        supervisor.start()
        while True:
            supervisor.poll()
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        supervisor.stop()


class Supervisor:
    """Runs each named command as a child and starts again one that exits, so that a worker
    or beat that dies in an outage (or a crashed server) comes back without the rest stopping.

    A child that exits again soon after starting waits longer each time (1, 2, 4 ... up to
    `max_delay` seconds), so one that cannot start (a port in use, a broken setting) does not
    spin; one that ran for `stable_after` seconds is restarted at once.
    """

    def __init__(self, commands, *, first_delay=1.0, max_delay=30.0, stable_after=60.0):
        self.commands = commands
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.stable_after = stable_after
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.delays = dict.fromkeys(commands, 0.0)
        self.restart_at: dict[str, float] = {}
        self.restarts = dict.fromkeys(commands, 0)

    def start(self) -> None:
        for name in self.commands:
            self._start(name)

    def poll(self) -> None:
        """Notice children that exited and start those whose wait is over."""
        now = time.monotonic()
        for name, process in list(self.processes.items()):
            if process.poll() is None:
                continue
            del self.processes[name]
            # The group may outlive its leader (a pool process of a dead worker): end it too.
            _signal_group(process, signal.SIGKILL)
            if now - self.started_at[name] >= self.stable_after:
                self.delays[name] = 0.0
            else:
                self.delays[name] = min(
                    self.max_delay, max(self.first_delay, self.delays[name] * 2)
                )
            self.restart_at[name] = now + self.delays[name]
            print(
                f"Stride: {name} exited with code {process.returncode}; "
                f"starting it again in {self.delays[name]:.0f} s.",
                flush=True,
            )
        for name, when in list(self.restart_at.items()):
            if now >= when:
                del self.restart_at[name]
                self.restarts[name] += 1
                self._start(name)

    def stop(self) -> None:
        self.restart_at.clear()
        stop(list(self.processes.values()))
        self.processes.clear()

    def _start(self, name: str) -> None:
        # Each child leads its own process group: the launcher alone decides when they stop,
        # and one signal to a group also reaches Uvicorn's reloaded server and Celery's pool
        # processes.
        self.processes[name] = subprocess.Popen(
            self.commands[name], cwd=ROOT, start_new_session=True
        )
        self.started_at[name] = time.monotonic()


def stop(processes, grace_seconds=10):
    """Interrupt every process group as Ctrl-C would, then kill what is still running."""
    for process in processes:
        _signal_group(process, signal.SIGINT)
    deadline = time.monotonic() + grace_seconds
    try:
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(deadline - time.monotonic(), 0))
    except KeyboardInterrupt:
        pass  # A second Ctrl-C: stop waiting.
    for process in processes:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process, signal_number):
    # The group outlives its leader while a member (e.g. a pool process) is still running.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal_number)


if __name__ == "__main__":
    sys.exit(main())
