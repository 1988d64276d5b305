"""`make run`: prepare the database and run web, Celery worker and beat in the foreground.

When PostgreSQL or Redis does not answer, Stride runs embedded instead: SQLite, in-memory
channel layer and cache, Celery tasks executed in-process (so no worker or beat is started).
Ctrl-C stops everything.
"""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.env import read_dotenv  # noqa: E402
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


def manage(*args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def main():
    read_dotenv(ROOT / ".env")
    os.environ.setdefault("DEBUG", "1")
    embedded = check_services() != 0
    if embedded:
        os.environ["STRIDE_EMBEDDED"] = "1"
    else:
        ensure_database()
    manage("migrate", "--no-input", "-v", "0")
    manage("load_demo")

    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    commands = [[PYTHON, "manage.py", "runserver", f"{host}:{port}"]]
    if not embedded:
        commands += [
            [
                str(BIN / "celery"),
                "-A",
                "workers",
                "worker",
                "--loglevel",
                "info",
                "--concurrency",
                "2",
            ],
            [str(BIN / "celery"), "-A", "workers", "beat", "--loglevel", "info"],
        ]
    print(f"Stride: GraphiQL at http://{host}:{port}/graphql/ (Ctrl-C stops everything)")
    processes = [subprocess.Popen(command, cwd=ROOT) for command in commands]
    try:
        while all(process.poll() is None for process in processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                processes[0].wait(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return max((process.returncode or 0) for process in processes)


if __name__ == "__main__":
    sys.exit(main())
