"""`make scale WEB=4 WORKERS=2`: several web processes behind nginx, several Celery workers.

Prepares the database and static files as `make run` does, writes nginx's configuration from
scripts/nginx.conf.template into a private directory, then runs, in the foreground: nginx on
HOST:PORT, WEB Uvicorn processes on the loopback ports after it, WORKERS Celery workers and one
beat, each started again when it exits (scripts/run.py's Supervisor). DEBUG is off, as in
production. Ctrl-C stops everything.
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.env import read_dotenv  # noqa: E402
from scripts.check_services import main as check_services  # noqa: E402
from scripts.run import (  # noqa: E402
    ensure_database,
    ensure_secret_key,
    manage,
    prepare_metrics_directory,
    site_url,
    supervise,
)

PYTHON = sys.executable
BIN = Path(PYTHON).parent
# Debian's, which `make scale` installs when missing.
NGINX = "/usr/sbin/nginx"
TEMPLATE = ROOT / "scripts" / "nginx.conf.template"
COMPOSE_CONFIG = ROOT / "scripts" / "nginx-compose.conf"
# Web processes listen here only, so every request reaches them through nginx.
LOOPBACK = "127.0.0.1"


def nginx_config(
    *,
    listen: str,
    upstreams: list[str],
    static_root: Path,
    prefix: Path,
    access_log: str | None = None,
) -> str:
    """nginx's configuration: `listen` (`[host:]port`), balancing over `upstreams` (`host:port`
    each), serving static files from `static_root`, writing only under `prefix`, the access log
    in `prefix` unless `access_log` says where."""
    fields = {
        "@LISTEN@": listen,
        "@UPSTREAM_SERVERS@": "\n".join(f"        server {address};" for address in upstreams),
        "@STATIC_ROOT@": str(static_root),
        "@PREFIX@": str(prefix),
        "@ACCESS_LOG@": access_log or str(prefix / "access.log"),
    }
    config = TEMPLATE.read_text()
    for field, value in fields.items():
        config = config.replace(field, value)
    return config


def compose_nginx_config() -> str:
    """The configuration of docker-compose.yml's `scale` profile: nginx's container resolves
    `web-scaled` to every replica of that service, and reads the static files the `static`
    service copied out of the image; it logs to the container's output."""
    generated = (
        "# Written by `python scripts/scale.py --compose-config`: edit the template instead.\n"
    )
    return generated + nginx_config(
        listen="8080",
        upstreams=["web-scaled:8000"],
        static_root=Path("/static"),
        prefix=Path("/var/cache/nginx"),
        access_log="/dev/stdout",
    )


def prepare_nginx(config: str, prefix: Path) -> Path:
    """Write the configuration under `prefix` and have nginx check it; its path."""
    prefix.mkdir(parents=True, exist_ok=True)
    # Started by root, nginx's worker processes run as `nobody`: they must reach the buffers.
    prefix.chmod(0o755)
    path = prefix / "nginx.conf"
    path.write_text(config)
    subprocess.run([*nginx_command(path, prefix), "-t", "-q"], check=True)
    return path


def nginx_command(config_path: Path, prefix: Path) -> list[str]:
    """nginx in the foreground (a child to supervise, not a daemon) with its pid, logs and
    buffers under `prefix`; root is not needed. -e: the log for errors met before the
    configuration is read, which would otherwise be a system path."""
    return [
        *(NGINX, "-p", str(prefix), "-c", str(config_path), "-e", "stderr"),
        *("-g", "daemon off;"),
    ]


def web_command(port: int) -> list[str]:
    # --no-proxy-headers: Stride reads X-Forwarded-For itself, from TRUSTED_PROXIES only.
    # --no-access-log: nginx's access log has every request once, with the process it went to.
    # --ws-per-message-deflate false: as the Dockerfile's command (memory and fan-out per socket).
    return [
        *(PYTHON, "-m", "uvicorn", "backend.asgi:application"),
        *("--host", LOOPBACK, "--port", str(port)),
        *("--no-proxy-headers", "--no-access-log", "--timeout-graceful-shutdown", "10"),
        *("--ws-per-message-deflate", "false"),
    ]


def commands(web: int, workers: int, first_web_port: int) -> dict[str, list[str]]:
    celery = [str(BIN / "celery"), "-A", "workers"]
    named = {f"web-{i + 1}": web_command(first_web_port + i) for i in range(web)}
    for i in range(workers):
        named[f"worker-{i + 1}"] = [
            *(*celery, "worker", "--loglevel", "info", "--concurrency", "2"),
            # As `make run`'s worker: gossip and mingle fail to reconnect after a broker outage.
            *("--without-gossip", "--without-mingle"),
            # Each worker its own name, or Celery warns of a clash on one machine.
            *("--hostname", f"worker-{i + 1}@%h"),
        ]
    # One beat only: two would send every periodic task twice.
    named["beat"] = [*celery, "beat", "--loglevel", "info"]
    return named


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", type=int, default=2, help="web processes (default 2)")
    parser.add_argument("--workers", type=int, default=1, help="Celery workers (default 1)")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--first-web-port",
        type=int,
        help="web process i listens on this port + i - 1 (default: the one after --port)",
    )
    parser.add_argument(
        "--compose-config",
        action="store_true",
        help=f"only write {COMPOSE_CONFIG.relative_to(ROOT)} from the template, for compose",
    )
    arguments = parser.parse_args(argv)
    if arguments.web < 1 or arguments.workers < 1:
        parser.error("--web and --workers must be at least 1")
    return arguments


def main(argv=None):
    # As in scripts/run.py: Ctrl-C, `kill -INT` and `kill -TERM` all mean "stop everything".
    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, signal.default_int_handler)
    arguments = parse_arguments(argv)
    if arguments.compose_config:
        COMPOSE_CONFIG.write_text(compose_nginx_config())
        return 0
    first_web_port = arguments.first_web_port or arguments.port + 1

    read_dotenv(ROOT / ".env")
    ensure_secret_key(ROOT / ".env")
    os.environ.setdefault("DEBUG", "0")
    # nginx here speaks plain HTTP; a TLS-terminating proxy in front would set X-Forwarded-Proto.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    # Every request reaches the web processes from nginx, on the loopback.
    os.environ.setdefault("TRUSTED_PROXIES", LOOPBACK)
    os.environ.setdefault("SITE_URL", site_url(arguments.host, str(arguments.port)))
    # /metrics in any web process adds up the counts of all of them, the workers and beat.
    prepare_metrics_directory()
    if check_services() != 0:
        print("Stride: several processes share PostgreSQL and Redis; start them first.")
        return 1
    ensure_database()
    manage("migrate", "--no-input", "-v", "0")
    manage("load_demo")
    manage("collectstatic", "--no-input", "-v", "0")

    prefix = Path(tempfile.mkdtemp(prefix="stride-nginx-"))
    upstreams = [f"{LOOPBACK}:{first_web_port + i}" for i in range(arguments.web)]
    # An IPv6 address is bracketed before its port, as in a URL.
    host = f"[{arguments.host}]" if ":" in arguments.host else arguments.host
    listen = f"{host}:{arguments.port}"
    config = nginx_config(
        listen=listen, upstreams=upstreams, static_root=ROOT / "staticfiles", prefix=prefix
    )
    nginx = nginx_command(prepare_nginx(config, prefix), prefix)

    home = os.environ["SITE_URL"]
    print(
        f"Stride: nginx on {listen} ({prefix}) before {arguments.web} web processes "
        f"({', '.join(upstreams)}), {arguments.workers} workers and beat; open {home}/; "
        "Ctrl-C stops everything"
    )
    # As `make run`'s: a child that exits is started again, after a backoff if it keeps exiting.
    return supervise({**commands(arguments.web, arguments.workers, first_web_port), "nginx": nginx})


if __name__ == "__main__":
    sys.exit(main())
