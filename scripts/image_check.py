"""Build the Docker image and run it for real against this machine's PostgreSQL and Redis.

`make image-check` (CI too, as root). No container registry is reachable here, so the
Dockerfile's base image is stood in for by one made from Debian's packages (debootstrap, with this
machine's Debian mirror and CA certificates), imported under the base's own tag and kept for the
next run. The image is then built with the classic builder and run with host networking (the
machine's loopback services are the only ones there are): migrate, GraphQL with a token, health,
static files, a WebSocket subscription receiving an event caused by a write, a Celery worker
processing a job and beat starting. Every container is removed on exit, whatever happens.

Steps print as they go; any failure ends the run with a non-zero status and the container logs.
"""

import asyncio
import fcntl
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import redis
import yaml
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "graphql-queries"
IMAGE = "stride:latest"
DEPENDENCIES_IMAGE = "stride:dependencies"
# What the stand-in base has: what the Dockerfile uses of python:3.11-slim-bookworm.
BASE_PACKAGES = "python3,python3-venv,python3-pip,python-is-python3,ca-certificates"
STAND_IN_LABEL = "org.stride.stand-in=debootstrap"
BUILT_LABEL = "org.stride.built-by=image-check"
CONTAINER_PREFIX = "stride-image-check"
DOCKERD_LOG = Path("/var/log/stride-dockerd.log")
LOCK = Path("/run/lock/stride-image-check.lock")
# Its own database and Redis database, so that the check never touches a developer's data.
DATABASE_URL = os.environ.get(
    "IMAGE_CHECK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stride_image_check"
)
REDIS_URL = os.environ.get("IMAGE_CHECK_REDIS_URL", "redis://127.0.0.1:6379/15")
DEMO_PASSWORD = "stride-demo-pass"


class CheckFailed(Exception):
    pass


def step(title):
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def ok(message, started=None):
    took = f" ({time.monotonic() - started:.1f} s)" if started is not None else ""
    print(f"   ok: {message}{took}", flush=True)


def run(*command, check=True, capture=False, **kwargs):
    result = subprocess.run(command, text=True, capture_output=capture, **kwargs)
    if check and result.returncode != 0:
        # The end of the output, where a build or a migration says what went wrong.
        detail = f"\n{(result.stdout + result.stderr)[-6000:]}" if capture else ""
        raise CheckFailed(f"`{' '.join(command)}` exited with {result.returncode}{detail}")
    return result


# --- The engine and the base image -------------------------------------------------------------


def docker_answers():
    return run("docker", "info", check=False, capture=True).returncode == 0


def ensure_dockerd():
    """Start Docker's engine when it is not running; returns it when this run started it."""
    if docker_answers():
        ok("dockerd is running")
        return None
    # Everything runs with --network host, so the engine gets no bridge and leaves the
    # machine's firewall rules alone.
    engine = subprocess.Popen(
        ["dockerd", "--bridge=none", "--iptables=false", "--ip6tables=false"],
        stdin=subprocess.DEVNULL,
        stdout=DOCKERD_LOG.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not docker_answers():
        if engine.poll() is not None or time.monotonic() > deadline:
            raise CheckFailed(f"dockerd did not start; its log is {DOCKERD_LOG}")
        time.sleep(0.5)
    ok(f"started dockerd (pid {engine.pid}, log {DOCKERD_LOG})")
    return engine


def dockerfile_base(dockerfile=ROOT / "Dockerfile"):
    """The one image the Dockerfile's stages start from (`FROM <image> [AS <stage>]`)."""
    stages, bases = set(), set()
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if words and words[0].upper() == "FROM":
            image = next(word for word in words[1:] if not word.startswith("--"))
            if image not in stages:
                bases.add(image)
            if len(words) >= 4 and words[-2].upper() == "AS":
                stages.add(words[-1])
    if len(bases) != 1:
        raise CheckFailed(f"expected one base image in the Dockerfile, found {sorted(bases)}")
    return bases.pop()


def debian_mirror(apt=Path("/etc/apt")):
    """This machine's Debian mirror for bookworm, as apt is configured: deb822 `.sources` files
    first, then one-line `sources.list` entries; Debian's own address when neither names one."""
    for path in sorted(apt.glob("sources.list.d/*.sources")):
        for stanza in path.read_text().split("\n\n"):
            fields = {
                name.strip(): value.split()
                for name, value in (
                    line.split(":", 1)
                    for line in stanza.splitlines()
                    if re.match(r"^[\w-]+:", line)
                )
            }
            if (
                "deb" in fields.get("Types", [])
                and "bookworm" in fields.get("Suites", [])
                and fields.get("Enabled", ["yes"]) != ["no"]
                and fields.get("URIs")
            ):
                return fields["URIs"][0]
    for path in [apt / "sources.list", *sorted(apt.glob("sources.list.d/*.list"))]:
        if path.exists():
            for line in path.read_text().splitlines():
                match = re.match(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm\s", line)
                if match:
                    return match.group(1)
    return "http://deb.debian.org/debian"


def ensure_base(tag):
    """A stand-in for the Dockerfile's base made from Debian's packages, unless the tag exists."""
    if run("docker", "image", "inspect", tag, check=False, capture=True).returncode == 0:
        ok(f"{tag} exists (kept from an earlier run or pulled): not rebuilt")
        return
    started = time.monotonic()
    mirror = debian_mirror()
    rootfs = Path(tempfile.mkdtemp(prefix="stride-base-", dir="/var/tmp"))
    try:
        print(f"   debootstrap bookworm from {mirror} into {rootfs}", flush=True)
        run(
            "debootstrap",
            "--variant=minbase",
            f"--include={BASE_PACKAGES}",
            "bookworm",
            str(rootfs),
            mirror,
            capture=True,
        )
        # The machine's own CA certificates (its egress may be re-signed by a local CA), so that
        # pip inside the build reaches PyPI as the machine does.
        for certificate in Path("/usr/local/share/ca-certificates").glob("**/*.crt"):
            shutil.copy(certificate, rootfs / "usr/local/share/ca-certificates")
        run("chroot", str(rootfs), "update-ca-certificates", capture=True)
        # Like the real slim image: no package downloads or lists left behind.
        run("chroot", str(rootfs), "apt-get", "clean")
        for leftover in (rootfs / "var/lib/apt/lists").glob("*"):
            if leftover.is_file():
                leftover.unlink()
        tar = subprocess.Popen(
            ["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE
        )
        run(
            "docker",
            "import",
            "--change",
            "ENV LANG=C.UTF-8",
            "--change",
            'CMD ["python3"]',
            "--change",
            f"LABEL {STAND_IN_LABEL}",
            "-",
            tag,
            stdin=tar.stdout,
            capture=True,
        )
        if tar.wait() != 0:
            raise CheckFailed("tar of the debootstrapped base failed")
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    ok(f"imported the stand-in as {tag}", started)


def build_image():
    started = time.monotonic()
    # The classic builder: BuildKit would look the base up in a registry. Host networking: pip
    # reaches PyPI the way this machine does. --force-rm: a failed step leaves no container.
    # The dependencies stage is tagged too (stride:dependencies), so that the one an earlier
    # requirements.txt made loses its tag and goes with the prune below instead of staying on
    # the disk untagged; the second build takes that stage from the cache.
    for target, tag in (("dependencies", DEPENDENCIES_IMAGE), (None, IMAGE)):
        run(
            "docker",
            "build",
            *(("--target", target) if target else ()),
            "--force-rm",
            "--network",
            "host",
            "--label",
            BUILT_LABEL,
            "-t",
            tag,
            str(ROOT),
            env={**os.environ, "DOCKER_BUILDKIT": "0"},
            capture=True,
        )
    # Earlier builds that lost their tag.
    run("docker", "image", "prune", "-f", "--filter", f"label={BUILT_LABEL}", capture=True)
    size = run("docker", "image", "inspect", "-f", "{{.Size}}", IMAGE, capture=True).stdout
    ok(f"built {IMAGE}, {int(size) / 1e6:.0f} MB", started)


# --- Containers --------------------------------------------------------------------------------


def free_port():
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Containers:
    """Containers of this run, each named `stride-image-check-<role>`, all removed on exit."""

    def __init__(self, environment):
        self.environment = environment
        self.names = []
        # Started with -d: their logs outlive them until they are removed.
        self.detached = []

    def _options(self):
        options = ["--network", "host"]
        for name, value in self.environment.items():
            options += ["-e", f"{name}={value}"]
        return options

    def once(self, role, *command):
        """Run a command to its end; returns its output's last line (all of it on failure)."""
        name = f"{CONTAINER_PREFIX}-{role}"
        self.names.append(name)
        result = run(
            "docker", "run", "--rm", "--name", name, *self._options(), IMAGE, *command, capture=True
        )
        return result.stdout.strip().rsplit("\n", 1)[-1]

    def start(self, role, *command):
        name = f"{CONTAINER_PREFIX}-{role}"
        self.names.append(name)
        run("docker", "run", "-d", "--name", name, *self._options(), IMAGE, *command, capture=True)
        self.detached.append(name)
        return name

    @staticmethod
    def logs(name):
        result = run("docker", "logs", name, check=False, capture=True)
        return result.stdout + result.stderr

    @staticmethod
    def running(name):
        state = run(
            "docker", "inspect", "-f", "{{.State.Running}}", name, check=False, capture=True
        )
        return state.stdout.strip() == "true"

    def stop(self, name):
        """A graceful stop (SIGTERM, as `docker stop` sends): the process must exit with 0."""
        run("docker", "stop", "--time", "20", name, capture=True)
        code = run("docker", "inspect", "-f", "{{.State.ExitCode}}", name, capture=True).stdout
        if code.strip() != "0":
            raise CheckFailed(f"{name} exited with {code.strip()} on docker stop")

    def remove_all(self):
        for name in self.names:
            run("docker", "rm", "-f", name, check=False, capture=True)

    @staticmethod
    def remove_leftovers():
        found = run(
            "docker", "ps", "-aq", "--filter", f"name=^{CONTAINER_PREFIX}-", capture=True
        ).stdout.split()
        if found:
            run("docker", "rm", "-f", *found, capture=True)


def wait_for_log(containers, name, pattern, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        logs = containers.logs(name)
        if re.search(pattern, logs):
            return logs
        if not containers.running(name):
            raise CheckFailed(f"{name} stopped before logging {pattern!r}:\n{logs}")
        time.sleep(0.5)
    raise CheckFailed(f"{name} did not log {pattern!r} within {seconds} s")


# --- HTTP and WebSocket clients ----------------------------------------------------------------


def http(url, data=None, headers=None, method=None):
    """(status, headers, body) of one request; HTTP errors are answers too."""
    body = json.dumps(data).encode() if data is not None else None
    # Only the http:// URLs this script builds.
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def graphql(base_url, operation, variables=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    document = (QUERIES / f"{operation}.graphql").read_text()
    status, _, body = http(
        f"{base_url}/graphql/", {"query": document, "variables": variables or {}}, headers
    )
    answer = json.loads(body)
    if status != 200 or answer.get("errors"):
        raise CheckFailed(f"{operation}: HTTP {status} {body.decode()[:500]}")
    result = answer["data"][operation]
    if isinstance(result, dict) and "messages" in result:  # refused: an OperationInfo
        raise CheckFailed(f"{operation}: {result['messages']}")
    return result


class Assets(HTMLParser):
    """The scripts and stylesheets a page loads."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.urls.append(attrs["href"])


def page_assets(base_url, path, headers=None):
    status, _, body = http(f"{base_url}{path}", headers=headers)
    if status != 200:
        raise CheckFailed(f"{path}: HTTP {status}")
    parser = Assets()
    parser.feed(body.decode())
    return [url for url in parser.urls if url.startswith("/static/")]


def check_static(base_url, url, expected_type):
    status, headers, body = http(f"{base_url}{url}", headers={"Accept-Encoding": "gzip"})
    if status != 200 or not headers["Content-Type"].startswith(expected_type) or not body:
        raise CheckFailed(f"{url}: HTTP {status}, {headers['Content-Type']}, {len(body)} bytes")
    # Collected and compressed at build time (CompressedStaticFilesStorage), served by WhiteNoise.
    return headers.get("Content-Encoding", "identity")


async def receive_task_change(ws_url, token, project_id, write):
    """Subscribe to a project's task changes over graphql-transport-ws, call `write` (in a thread),
    and return the first event received."""
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket_:
        payload = {"authorization": f"Bearer {token}"}
        await socket_.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(socket_.recv(), 10))
        if ack["type"] != "connection_ack":
            raise CheckFailed(f"WebSocket: expected connection_ack, got {ack}")
        document = (QUERIES / "taskChanged.graphql").read_text()
        subscribe = {"query": document, "variables": {"projectId": project_id}}
        await socket_.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        # The server answers nothing on a started subscription: give it a moment to be listening.
        await asyncio.sleep(1)
        await asyncio.to_thread(write)
        try:
            message = json.loads(await asyncio.wait_for(socket_.recv(), 15))
        except TimeoutError:
            raise CheckFailed("WebSocket: no event within 15 s of the write") from None
        if message["type"] != "next":
            raise CheckFailed(f"WebSocket: expected an event, got {message}")
        return message["payload"]["data"]["taskChanged"]


# --- The checks --------------------------------------------------------------------------------


def fresh_database_and_redis():
    database = urlparse(DATABASE_URL).path.lstrip("/")
    server = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{database}"')
        redis.Redis.from_url(REDIS_URL).flushdb()
    except (psycopg.Error, redis.RedisError) as error:
        raise CheckFailed(f"PostgreSQL or Redis: {error} (scripts/check_services.py says which)")
    return database


def compose_command(service):
    """The command docker-compose.yml gives a service, so that the check runs the same one."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return shlex.split(services[service]["command"])


def check_image(containers, base_url):
    started = step("migrate and load the demo data (compose's one-off `migrate` command)")
    last_line = containers.once("migrate", *compose_command("migrate"))
    ok(f"migrated a new database; {last_line}", started)

    started = step("web: the image's own command (Uvicorn, 2 workers)")
    web = containers.start("web")
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _, body = http(f"{base_url}/api/health/")
            break
        except OSError:
            if not containers.running(web) or time.monotonic() > deadline:
                raise CheckFailed(f"web did not answer:\n{containers.logs(web)}") from None
            time.sleep(0.5)
    if status != 200:
        raise CheckFailed(f"/api/health/: HTTP {status} {body.decode()}")
    # The Dockerfile's unprivileged user, not root.
    uid = run("docker", "exec", web, "id", "-u", capture=True).stdout.strip()
    if uid == "0":
        raise CheckFailed("the web server runs as root")
    ok(f"/api/health/ 200 {body.decode()}, served as uid {uid}", started)

    started = step("GraphQL over HTTP with a token")
    alice = graphql(base_url, "tokenAuth", {"username": "alice", "password": DEMO_PASSWORD})
    bob = graphql(base_url, "tokenAuth", {"username": "bob", "password": DEMO_PASSWORD})
    me = graphql(base_url, "me", token=alice["access"])
    if me["username"] != "alice":
        raise CheckFailed(f"me answered {me}")
    projects = graphql(base_url, "projects", token=alice["access"])["results"]
    project = next(project for project in projects if project["name"] == "Launch")
    ok(f"tokenAuth, me = {me['username']}, {len(projects)} project(s)", started)

    started = step("static files: GraphiQL's assets and the web pages' CSS")
    graphiql = page_assets(base_url, "/graphql/", {"Accept": "text/html"})
    pages = page_assets(base_url, "/login/")
    if not graphiql or not any(url.endswith(".css") for url in pages):
        raise CheckFailed(f"no static assets found: GraphiQL {graphiql}, pages {pages}")
    for url in sorted(set(graphiql + pages)):
        kind = "text/css" if url.endswith(".css") else "text/javascript"
        print(f"   {url}: {check_static(base_url, url, kind)}")
    ok(f"{len(set(graphiql + pages))} assets served", started)

    started = step("WebSocket subscription (graphql-transport-ws) and a write that causes an event")

    def bob_creates_a_task():
        graphql(
            base_url,
            "createTask",
            {"input": {"title": "Checked by the image", "projectId": project["id"]}},
            bob["access"],
        )

    ws_url = base_url.replace("http://", "ws://") + "/graphql/"
    event = asyncio.run(
        receive_task_change(ws_url, alice["access"], project["id"], bob_creates_a_task)
    )
    if event["kind"] != "CREATED" or event["actor"]["username"] != "bob":
        raise CheckFailed(f"unexpected event {event}")
    ok(f"alice received {event['kind']} of {event['task']['title']!r} by bob", started)

    started = step("worker: processes a job")
    worker = containers.start("worker", *compose_command("worker"))
    wait_for_log(containers, worker, r"ready\.", 60)
    job = graphql(base_url, "submitJob", {"input": {"title": "Image check"}}, alice["access"])
    deadline = time.monotonic() + 60
    while (job := graphql(base_url, "job", {"id": job["id"]}, alice["access"]))["status"] in (
        "PENDING",
        "PROCESSING",
    ):
        if time.monotonic() > deadline:
            raise CheckFailed(f"job {job['id']} still {job['status']}:\n{containers.logs(worker)}")
        time.sleep(0.5)
    if job["status"] != "COMPLETED":
        raise CheckFailed(f"job ended {job['status']}: {job['error']}")
    containers.stop(worker)
    ok(f"job {job['id']} COMPLETED, worker stopped cleanly", started)

    started = step("beat: starts with the database scheduler")
    beat = containers.start("beat", *compose_command("beat"))
    logs = wait_for_log(containers, beat, r"beat: Starting", 60)
    if "DatabaseScheduler" not in logs:
        raise CheckFailed(f"beat did not start django-celery-beat's scheduler:\n{logs}")
    containers.stop(beat)
    ok("beat started and stopped cleanly", started)

    started = step("web: stops cleanly, and logged no error or warning")
    containers.stop(web)
    logs = containers.logs(web)
    # Django's ASGI handler once warned here that static files were streamed from a synchronous
    # iterator; Django's HTTP now goes through its WSGI handler (backend/wsgi_under_asgi.py).
    problems = [
        line
        for line in logs.splitlines()
        if re.search(r"Traceback|ERROR|Warning|WARNING|synchronous iterator", line)
    ]
    if problems:
        raise CheckFailed("the web container logged:\n" + "\n".join(problems))
    ok(f"{len(logs.splitlines())} log lines, none an error or warning", started)


def wait_for_other_checks():
    """One check at a time on a machine: runs share the image's tag, the containers' names, the
    database and the engine (one that a run started, it stops). The lock goes with the process."""
    lock = LOCK.open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"waiting for another image check to finish ({LOCK})", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def main():
    total = time.monotonic()
    engine = None
    containers = None

    def stop_on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop_on_signal)
    _held_until_exit = wait_for_other_checks()
    try:
        step("Docker's engine")
        engine = ensure_dockerd()
        Containers.remove_leftovers()
        base = dockerfile_base()
        step(f"the base image, {base}")
        ensure_base(base)
        step(f"build {IMAGE} (classic builder, host network)")
        build_image()

        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        database = fresh_database_and_redis()
        containers = Containers(
            {
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SECURE_SSL_REDIRECT": "0",
                "DATABASE_URL": DATABASE_URL,
                "REDIS_URL": REDIS_URL,
                "CACHE_KEY_PREFIX": CONTAINER_PREFIX,
                "CHANNEL_LAYER_PREFIX": f"{CONTAINER_PREFIX}:asgi",
                "CELERY_QUEUE": CONTAINER_PREFIX,
                "SITE_URL": base_url,
                "UVICORN_PORT": str(port),
                "JOB_PROCESS_SECONDS": "1-2",
            }
        )
        print(f"\n   database {database}, Redis {REDIS_URL}, web on {base_url}")
        check_image(containers, base_url)
    except Exception as failure:
        if not isinstance(failure, CheckFailed):
            traceback.print_exc()
        print(f"\nFAILED: {failure}", file=sys.stderr)
        if containers:
            for name in containers.detached:
                print(f"\n-- logs of {name}:\n{Containers.logs(name)[-4000:]}", file=sys.stderr)
        return 1
    finally:
        if containers:
            containers.remove_all()
        if engine:
            engine.terminate()
            engine.wait(timeout=30)
    print(f"\nimage check passed in {time.monotonic() - total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
