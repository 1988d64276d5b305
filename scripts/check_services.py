"""Say which backing services answer. `--require` fails at once, naming the ones that don't.

Used by `make test` (everything must answer) and by `make run` (embedded mode when they don't).
"""

import os
import socket
import sys
from urllib.parse import urlparse

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
    "RabbitMQ": "rabbitmq-server -detached",
}


def _address(url, default_port):
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or default_port


def services(include_rabbitmq):
    found = {
        "PostgreSQL": _address(
            os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stride"), 5432
        ),
        "Redis": _address(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), 6379),
    }
    if include_rabbitmq:
        found["RabbitMQ"] = _address(
            os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//"), 5672
        )
    return found


def answers(host, port):
    try:
        with socket.create_connection((host, port), timeout=1.5):
            return True
    except OSError:
        return False


def main():
    require = "--require" in sys.argv
    down = [
        (name, host, port)
        for name, (host, port) in services(include_rabbitmq=require).items()
        if not answers(host, port)
    ]
    if not down:
        return 0
    if require:
        for name, host, port in down:
            print(
                f"{name} does not answer at {host}:{port}. Start it with: {START_HINTS[name]}",
                file=sys.stderr,
            )
    else:
        names = " and ".join(name for name, _, _ in down)
        print(f"{names} not reachable: running on embedded defaults (SQLite, in-memory).")
    return 1


if __name__ == "__main__":
    sys.exit(main())
