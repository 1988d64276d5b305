"""The task list pages users ask for, at 1,000,000 tasks: Stride checkouts side by side, and
PostGraphile v4 as the peer, in the same run.

    npm install --prefix /work/peer postgraphile@4.9.2      # the peer, outside the repo (once)
    .venv/bin/python bench/api.py --checkout before=/work/before \\
        --checkout after=/work/main --explain --json /tmp/bench-api-1m.json

Run from this repo's root with its virtualenv (it runs every checkout: a checkout needs no
virtualenv of its own) on a quiet machine: ~20 minutes at the defaults with two checkouts, the
first seeding of 1,000,000 tasks included. `wrk` (`apt-get install wrk`), PostgreSQL and Redis
on 127.0.0.1. Try the settings first with `--tasks 20000 --seconds 2 --rounds 1 --viewers 50`.

Each `--checkout NAME=PATH` (default: this checkout, as `current`) gets its own database,
`<--database-prefix>_<NAME>`, migrated by its own `manage.py migrate`, so that an index one
checkout adds does not help the other. Each database is the benchmark's own: it is seeded with
plain SQL (once; again when its task count differs, after emptying `tasks_task`): a bench owner,
9 more members and `--viewers` viewers of one project "Bench" holding all `--tasks` tasks
(created over the last two years by the 10 first members in turn, statuses, priorities,
assignees and due dates varied, some null) and ~0.31 comments per task; then `VACUUM ANALYZE`.
Tokens come from each checkout's own `backend.accounts.services.tokens_for`.

Each checkout is served by Uvicorn (`--web-workers`, loopback) with the caches (selectors,
GraphQL responses, signed-in user: `CACHE_SELECTORS`) off, then on. The pages, each checked
first (status 200, no `errors`, 50 tasks, and the count, where there is one, equal to
`--tasks`):

    spec        tasks(pagination: {limit: 50}) { results { id title status priority dueDate
                createdAt project { id name } assignee { id username } commentCount } }
    spec+count  the same with totalCount
    plain       the same without commentCount
    rest        GET /api/tasks/?page_size=50 (it always counts)

PostGraphile serves the first checkout's database (it only reads: no mutations) as one Node
process (`--postgraphile-workers` for its experimental cluster mode), with every table but the
five the pages read omitted (postgraphile.tags.json5 in a temporary folder: Django's celery-beat
tables otherwise clash on a type name). Its pages select the same 50 newest tasks:

    allTasksTasks(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC]) { totalCount nodes { id title
      status priority dueDate createdAt projectsProjectByProjectId { id name }
      accountsUserByAssigneeId { id username } tasksCommentsByTaskId { totalCount } } }

(with and without totalCount and the comment count). PostGraphile has no visibility rule: it
reads every task, where Stride filters to what the bench owner may see (all of them here).

Every page is measured with wrk (`--connections`, `--seconds` after an unrecorded warm-up of
`--warmup` s) in `--rounds` alternated rounds: each round measures every page of every checkout
and PostGraphile's matching page, checkouts of one page next to each other, the order of pages
and of checkouts rotating every round so that the machine's drift falls on all. With caches off,
`--viewer-rounds` more rounds of the Stride pages where each request comes from the next of the
viewers (a wrk Lua script), as when many users open the list. Each measured run starts and ends
with the server idle and no query active in its database: a page that takes seconds (an
uncached count) is still being served after wrk stops, and would otherwise load the next run.
Such a page completes few requests: a rate over fewer than 50 is marked `*` (raise `--seconds`).
CPU per request, over the measured seconds, from /proc: the server's processes (Uvicorn's
master and workers; Node) and the whole PostgreSQL server (every backend, parallel workers of a
query included; on a shared machine, others' queries too). Prints a Markdown table per cache
setting, and with `--json PATH` writes the raw measurements.

`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the SQL each checkout runs for the bench
owner's `totalCount`, captured by running the checkout's GraphQL schema in process (and its
`backend.tasks.selectors` task list, `.count()`), in its own database. `--instructions N` counts
the machine instructions each checkout's server executes per request of each page (caches off,
one worker, under valgrind's callgrind: `apt-get install valgrind`): exact where timings drift.
`--rounds 0` measures nothing (seeding and `--explain` alone).
"""

import argparse
import contextlib
import datetime
import http.client
import itertools
import json
import multiprocessing
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OWNER = "bench_owner"
MEMBERS = [OWNER, *(f"bench_member_{n}" for n in range(1, 10))]
SECRET_KEY = secrets.token_urlsafe(50)
PEER = "PostGraphile"
FEW = 50  # requests completed over all rounds, below which a rate is marked unreliable
# The tables PostGraphile's pages read; every other one is omitted from its schema.
PEER_TABLES = (
    "accounts_user",
    "projects_project",
    "projects_membership",
    "tasks_task",
    "tasks_comment",
)

# Page name: (with the comment count, with the total count); "rest" is the REST list.
GRAPHQL_PAGES = {"spec": (True, False), "spec+count": (True, True), "plain": (False, False)}
PAGES = [*GRAPHQL_PAGES, "rest"]


def stride_query(comment_count: bool, total_count: bool) -> str:
    task = "id title status priority dueDate createdAt project { id name } assignee { id username }"
    task += " commentCount" if comment_count else ""
    count = "totalCount " if total_count else ""
    return (
        f"query BenchTasks {{ tasks(pagination: {{limit: 50}}) {{ {count}results {{ {task} }} }} }}"
    )


def peer_query(comment_count: bool, total_count: bool) -> str:
    task = (
        "id title status priority dueDate createdAt projectsProjectByProjectId { id name } "
        "accountsUserByAssigneeId { id username }"
    )
    task += " tasksCommentsByTaskId { totalCount }" if comment_count else ""
    count = "totalCount " if total_count else ""
    return (
        "query BenchTasks { allTasksTasks(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC]) "
        f"{{ {count}nodes {{ {task} }} }} }}"
    )


@dataclass
class Request:
    method: str
    path: str
    body: str | None
    headers: dict


def stride_requests(token: str) -> dict[str, Request]:
    auth = {"Authorization": f"Bearer {token}"}
    json_auth = {**auth, "Content-Type": "application/json"}
    requests = {
        name: Request("POST", "/graphql/", json.dumps({"query": stride_query(*shape)}), json_auth)
        for name, shape in GRAPHQL_PAGES.items()
    }
    requests["rest"] = Request("GET", "/api/tasks/?page_size=50", None, auth)
    return requests


def peer_requests() -> dict[str, Request]:
    headers = {"Content-Type": "application/json"}
    return {
        name: Request("POST", "/graphql", json.dumps({"query": peer_query(*shape)}), headers)
        for name, shape in GRAPHQL_PAGES.items()
    }


@dataclass
class Checkout:
    name: str
    path: Path
    database: str
    commit: str = "?"
    token: str = ""
    viewer_tokens: list[str] = field(default_factory=list)
    seeding: dict = field(default_factory=dict)
    failure: str | None = None


@dataclass
class Target:
    """A server under test: a checkout's Uvicorn or PostGraphile."""

    name: str
    base: str
    database: str
    process: subprocess.Popen
    requests: dict[str, Request]
    viewer_tokens: list[str] = field(default_factory=list)


class BenchError(Exception):
    """A checkout, a server or a page that cannot be measured; the run goes on without it."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tail(text: str, lines: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# Checkouts: commit, database, migrations, seed, tokens.


def commit_of(path: Path) -> str:
    def git(*command):
        return subprocess.run(
            ["git", "-C", str(path), *command], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return git("rev-parse", "--short", "HEAD") + (
            "+dirty" if git("status", "--porcelain") else ""
        )
    except (OSError, subprocess.CalledProcessError):
        return "? (not a git checkout)"


def django_environment(checkout: Checkout, args, cache_on: bool = False) -> dict:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": f"{args.postgres}/{checkout.database}",
            "REDIS_URL": args.redis_url,
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "CACHE_SELECTORS": "1" if cache_on else "0",
            # Per checkout and per run: entries of an earlier seeding must not answer.
            "CACHE_KEY_PREFIX": f"stride-bench-{checkout.name}-{args.run_id}",
            "CHANNEL_LAYER_PREFIX": f"stride-bench-{checkout.name}:asgi",
            # The benchmark measures the server, not its rate limits, and outlasts a default token.
            "JWT_ACCESS_MINUTES": "240",
            "THROTTLE_ANON_RATE": "100000000/min",
            "THROTTLE_USER_RATE": "100000000/min",
            "LOG_LEVEL": "WARNING",
        }
    )
    return environment


def run_in(checkout: Checkout, args, command: list[str], stdin: str = "", timeout=1800) -> str:
    """A command of the checkout's code (cwd = the checkout), with its database; its stdout."""
    done = subprocess.run(
        command,
        cwd=checkout.path,
        env=django_environment(checkout, args),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise BenchError(f"`{' '.join(command[1:3])}` failed:\n{tail(done.stderr)}")
    return done.stdout


TOKENS = """
import json, sys
import django
django.setup()
from backend.accounts.models import User
from backend.accounts.services import tokens_for
names = json.loads(sys.stdin.read())
users = User.objects.in_bulk(names, field_name="username")
print("TOKENS " + json.dumps([str(tokens_for(users[name]).access_token) for name in names]))
"""


def prepare(checkout: Checkout, args, admin: psycopg.Connection) -> None:
    checkout.commit = commit_of(checkout.path)
    if not (checkout.path / "manage.py").is_file():
        raise BenchError(f"{checkout.path} has no manage.py")
    exists = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", (checkout.database,)
    ).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{checkout.database}"')
    log(f"{checkout.name}: migrating {checkout.database} with {checkout.path}/manage.py")
    run_in(checkout, args, [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"])
    checkout.seeding = seed(f"{args.postgres}/{checkout.database}", args, checkout.name)
    names = [OWNER, *(f"bench_viewer_{n}" for n in range(1, args.viewers + 1))]
    output = run_in(checkout, args, [sys.executable, "-c", TOKENS], stdin=json.dumps(names))
    tokens = json.loads(output.rsplit("TOKENS ", 1)[1])
    checkout.token, checkout.viewer_tokens = tokens[0], tokens[1:]


NOT_NULL_WITHOUT_DEFAULT = """
    SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO'
      AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER'
"""
ZERO_OF_TYPE = {
    "boolean": "false",
    "smallint": "0",
    "integer": "0",
    "bigint": "0",
    "numeric": "0",
    "real": "0",
    "double precision": "0",
    "text": "''",
    "character varying": "''",
    "timestamp with time zone": "now()",
    "date": "current_date",
    "json": "'{}'",
    "jsonb": "'{}'",
    "uuid": "gen_random_uuid()",
}


def insert(db, table: str, columns: dict[str, str], source: str, params: dict) -> int:
    """INSERT INTO table (columns) SELECT their expressions `source`. A NOT NULL column without a
    database default that `columns` leaves out (a later migration's) gets its type's zero."""
    for name, data_type in db.execute(NOT_NULL_WITHOUT_DEFAULT, (table,)).fetchall():
        if name not in columns:
            if data_type not in ZERO_OF_TYPE:
                raise BenchError(f"cannot seed {table}.{name} ({data_type}, NOT NULL)")
            zero = ZERO_OF_TYPE[data_type]
            log(f"  {table}.{name} is new (NOT NULL, {data_type}): seeded as {zero}")
            columns = {**columns, name: ZERO_OF_TYPE[data_type]}
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns.values())} {source}"
    )
    return db.execute(sql, params).rowcount


def seed(url: str, args, name: str) -> dict:
    """The bench owner, members, viewers, project, tasks and comments, with plain SQL; tasks and
    comments only when the database does not hold exactly `--tasks` tasks already."""
    started = time.monotonic()
    users = [*MEMBERS, *(f"bench_viewer_{n}" for n in range(1, args.viewers + 1))]
    with psycopg.connect(url) as db:
        # No foreign-key triggers while seeding: the rows are consistent by construction.
        db.execute("SET session_replication_role = replica")
        db.execute("SET maintenance_work_mem = '512MB'")
        insert(
            db,
            "accounts_user",
            {
                "password": "'!bench'",  # unusable: the bench signs in with tokens
                "is_superuser": "false",
                "username": "name",
                "first_name": "''",
                "last_name": "''",
                "is_staff": "false",  # staff would skip the visibility rule
                "is_active": "true",
                "date_joined": "now()",
                "email": "name || '@bench.example.com'",
                "time_zone": "'UTC'",
                "email_on_assignment": "false",
                "email_on_reminders": "false",
            },
            "FROM unnest(%(users)s::text[]) AS name ON CONFLICT DO NOTHING",
            {"users": users},
        )
        ids = dict(
            db.execute(
                "SELECT username, id FROM accounts_user WHERE username = ANY(%s)", (MEMBERS,)
            ).fetchall()
        )
        members = [ids[member] for member in MEMBERS]
        project_of_owner = "SELECT id FROM projects_project WHERE name = 'Bench' AND owner_id = %s"
        if db.execute(project_of_owner, (members[0],)).fetchone() is None:
            insert(
                db,
                "projects_project",
                {
                    "name": "'Bench'",
                    "description": "'Seeded by bench/api.py'",
                    "created_at": "now()",
                    "updated_at": "now()",
                    "owner_id": "%(owner)s",
                },
                "",
                {"owner": members[0]},
            )
        project = db.execute(project_of_owner + " ORDER BY id LIMIT 1", (members[0],)).fetchone()[0]
        insert(
            db,
            "projects_membership",
            {"added_at": "now()", "user_id": "id", "project_id": "%(project)s"},
            "FROM accounts_user WHERE username = ANY(%(users)s) ON CONFLICT DO NOTHING",
            {"project": project, "users": users},
        )
        in_project, in_table = db.execute(
            "SELECT count(*) FILTER (WHERE project_id = %s), count(*) FROM tasks_task", (project,)
        ).fetchone()
        seeded = args.reseed or in_project != args.tasks or in_table != args.tasks
        if seeded:
            log(f"{name}: seeding {args.tasks:,} tasks (the table held {in_table:,})")
            seed_tasks(db, project, members, args.tasks)
        comments = db.execute("SELECT count(*) FROM tasks_comment").fetchone()[0]
    if seeded:
        with psycopg.connect(url, autocommit=True) as db:
            for table in PEER_TABLES:  # the tables of the pages
                db.execute(f"VACUUM ANALYZE {table}")
    seconds = time.monotonic() - started
    if seeded:
        log(f"{name}: seeded {args.tasks:,} tasks and {comments:,} comments in {seconds:.0f} s")
    return {"seeded": seeded, "seconds": round(seconds, 1), "comments": comments}


def seed_tasks(db, project: int, members: list[int], tasks: int) -> None:
    """`tasks` tasks in the project (every earlier task and comment deleted), the newest last,
    and 0 to 3 comments on some; indexes dropped while inserting and built again after."""
    indexes = []
    for table in ("tasks_task", "tasks_comment"):
        indexes += db.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = %s::regclass AND NOT EXISTS (
                   SELECT FROM pg_constraint c
                   WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)""",
            (table,),
        ).fetchall()
    for index, _ in indexes:
        db.execute(f'DROP INDEX "{index}"')
    db.execute("TRUNCATE tasks_task RESTART IDENTITY CASCADE")  # comments too
    params = {"tasks": tasks, "members": members, "owner": members[0], "project": project}
    insert(
        db,
        "tasks_task",
        {
            "title": "'Bench task ' || n",
            "description": "'Seeded by bench/api.py'",
            "status": "(ARRAY['pending', 'in_progress', 'completed'])[1 + mod(n, 3)::int]",
            "priority": "(ARRAY['low', 'medium', 'high', 'urgent'])[1 + mod(n / 3, 4)::int]",
            # From a year ago to two years ahead; none on one task in six.
            "due_date": "CASE WHEN mod(n, 6) = 0 THEN NULL ELSE date_trunc('day', now()) "
            "+ (mod(n * 7919, 1095) - 365) * interval '1 day' + interval '17 hours' END",
            "created_at": "at",
            "updated_at": "at",
            "completed_at": "CASE WHEN mod(n, 3) = 2 THEN least(at + interval '1 day', now()) END",
            "version": "1",
            # The 10 first members in turn; nobody on one task in eleven.
            "assignee_id": "CASE WHEN mod(n, 11) = 0 THEN NULL "
            "ELSE (%(members)s::bigint[])[1 + mod(n, 10)::int] END",
            # The 10 first members in turn, as in a team: the count's parts differ per person.
            "created_by_id": "(%(members)s::bigint[])[1 + mod(n * 7, 10)::int]",
            "project_id": "%(project)s",
        },
        # Over the last two years, one task every 63 s at 1,000,000, the newest last.
        "FROM generate_series(1, %(tasks)s::bigint) AS n, "
        "LATERAL (SELECT now() - (%(tasks)s - n) * (interval '730 days' / %(tasks)s) AS at) AS t",
        params,
    )
    insert(
        db,
        "tasks_comment",
        {
            "content": "'Bench comment ' || c || ' on task ' || t.id",
            "created_at": "least(t.created_at + c * interval '1 hour', now())",
            "author_id": "(%(members)s::bigint[])[1 + mod(t.id + c, 10)::int]",
            "task_id": "t.id",
        },
        # 0 comments on 82% of the tasks, 1 on 9%, 2 on 5%, 3 on 4%: 0.31 a task.
        "FROM tasks_task AS t CROSS JOIN generate_series(1, 3) AS c "
        "WHERE t.project_id = %(project)s AND c <= CASE WHEN mod(t.id * 7919, 100) < 82 THEN 0 "
        "WHEN mod(t.id * 7919, 100) < 91 THEN 1 WHEN mod(t.id * 7919, 100) < 96 THEN 2 ELSE 3 END",
        params,
    )
    for _, definition in indexes:
        db.execute(definition)


# Servers.


def process_tree(pid: int) -> list[int]:
    """The process and its descendants, from every /proc/<pid>/stat's parent (Linux): the
    /proc/<pid>/task/*/children lists miss processes while others start or end."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    pids = [pid]
    for each in pids:
        pids += children.get(each, [])
    return pids


def cpu_by_pid(pids) -> dict[int, float]:
    """User + system CPU seconds of each process still alive."""
    seconds = {}
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def cpu_since(before: dict[int, float], pids) -> float:
    """CPU seconds spent since `before` by `pids` (those born since counted whole)."""
    return sum(now - before.get(pid, 0.0) for pid, now in cpu_by_pid(pids).items())


def wait_ready(process: subprocess.Popen, url: str, request: Request, logfile: Path, wait: float):
    started = time.monotonic()
    parts = urlsplit(url)
    while time.monotonic() < started + wait:
        if process.poll() is not None:
            raise BenchError(f"exited with {process.returncode}:\n{tail(logfile.read_text())}")
        # Uvicorn's master outlives workers that fail to start.
        if time.monotonic() > started + 15 and "Traceback" in logfile.read_text():
            stop(process)
            raise BenchError(f"failed to start:\n{tail(logfile.read_text())}")
        try:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            connection.request(request.method, request.path, request.body, request.headers)
            if connection.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise BenchError(f"not ready within {wait:.0f} s:\n{tail(logfile.read_text())}")


def stop(process: subprocess.Popen) -> None:
    """Stops a server started here and its workers (its own process group)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 9)  # workers left behind by a master that died


def start_stride(checkout, port, cache_on, args, workers, under=(), wait=90) -> subprocess.Popen:
    """The checkout's Uvicorn on loopback, ready; `under` runs it under a tool (valgrind)."""
    logfile = args.logs / f"{checkout.name}-{port}-caches-{'on' if cache_on else 'off'}.log"
    with logfile.open("w") as output:
        process = subprocess.Popen(
            [
                *under,
                sys.executable,
                "-m",
                "uvicorn",
                "backend.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=checkout.path,
            env=django_environment(checkout, args, cache_on),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    health = Request("GET", "/api/health/", None, {})
    wait_ready(process, f"http://127.0.0.1:{port}", health, logfile, wait)
    time.sleep(1 if workers > 1 else 0)  # the other workers' start-up
    return process


def start_peer(database: str, args) -> tuple[subprocess.Popen, str]:
    """PostGraphile on loopback, ready, reading `database`; its version."""
    folder = args.logs / "postgraphile"
    folder.mkdir(exist_ok=True)
    with psycopg.connect(f"{args.postgres}/{database}") as db:
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    # Smart tags (read from the working folder): only the tables of the pages.
    omitted = {table: {"tags": {"omit": True}} for (table,) in tables if table not in PEER_TABLES}
    tags = {"version": 1, "config": {"class": omitted}}
    (folder / "postgraphile.tags.json5").write_text(json.dumps(tags, indent=1))
    command = [
        args.postgraphile,
        "--connection",
        f"{args.postgres}/{database}",
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(args.peer_port),
        "--disable-default-mutations",
        "--disable-query-log",
        "--disable-graphiql",
    ]
    if args.postgraphile_workers > 1:
        command += ["--cluster-workers", str(args.postgraphile_workers)]
    logfile = args.logs / "postgraphile.log"
    with logfile.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env={**os.environ, "NODE_ENV": "production"},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    probe = Request(
        "POST",
        "/graphql",
        json.dumps({"query": "{ __typename }"}),
        {"Content-Type": "application/json"},
    )
    wait_ready(process, f"http://127.0.0.1:{args.peer_port}", probe, logfile, 60)
    version = "4"
    for parent in Path(args.postgraphile).resolve().parents:
        if (parent / "package.json").is_file():
            version = json.loads((parent / "package.json").read_text()).get("version", version)
            break
    return process, version


def check_peer_schema(base: str) -> None:
    """The names the peer's pages use, from an introspection query."""
    query = '{ __type(name: "TasksTask") { fields { name } } }'
    _, answer, _ = fetch(base, Request("POST", "/graphql", json.dumps({"query": query}), {}))
    fields = {f["name"] for f in ((answer or {}).get("data") or {}).get("__type", {})["fields"]}
    wanted = {"projectsProjectByProjectId", "accountsUserByAssigneeId", "tasksCommentsByTaskId"}
    if not wanted <= fields:
        raise BenchError(f"TasksTask lacks {sorted(wanted - fields)}; it has {sorted(fields)}")


# Pages and load.


def fetch(base: str, request: Request, token: str | None = None):
    parts = urlsplit(base)
    headers = {"Content-Type": "application/json", **request.headers}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)
    connection.request(request.method, request.path, request.body, headers)
    response = connection.getresponse()
    raw = response.read()
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    return response.status, answer, raw[:400]


def check_page(target: Target, page: str, tasks: int, token: str | None = None) -> list[str]:
    """A benchmark of error answers measures nothing: the page must answer 50 tasks, and its
    count, where it has one, every task. The ids of the page."""
    status, answer, raw = fetch(target.base, target.requests[page], token)
    if status != 200 or not isinstance(answer, dict) or answer.get("errors"):
        raise BenchError(f"answered {status}: {raw.decode(errors='replace')}")
    if page == "rest":
        results, count = answer.get("results"), answer.get("count")
    else:
        data = answer.get("data") or {}
        listing = data.get("tasks") or data.get("allTasksTasks") or {}
        results, count = listing.get("results", listing.get("nodes")), listing.get("totalCount")
    if not isinstance(results, list) or len(results) != 50:
        raise BenchError(f"did not answer 50 tasks: {raw.decode(errors='replace')}")
    if page in ("spec+count", "rest") and count != tasks:
        raise BenchError(f"counted {count} tasks, not {tasks:,}")
    if GRAPHQL_PAGES.get(page, (False,))[0]:
        first = results[0]
        if "commentCount" not in first and "tasksCommentsByTaskId" not in first:
            raise BenchError("answered no comment count")
    return [str(task["id"]) for task in results]


def measure(target: Target, page: str, args, admin, viewers=False) -> dict:
    """One page of one server under load for `--seconds`, after `--warmup` unrecorded, each
    started and followed by an idle server and database."""
    request = target.requests[page]
    tokens = target.viewer_tokens if viewers else None
    load_with = _wrk if args.load == "wrk" else _python_load
    with load_with(target.base + request.path, request, tokens, args) as run:
        settle(target, admin)
        servers = process_tree(target.process.pid)
        server_before = cpu_by_pid(servers)
        database_before = postgres_cpu(args.postmaster)
        outcome = run()
        server_cpu = cpu_since(server_before, servers)
        database_after = postgres_cpu(args.postmaster)
    settle(target, admin)
    served = outcome.pop("served")
    database_cpu = None if database_before is None else database_after - database_before
    return {
        **outcome,
        "served": served,
        "cpu_ms": server_cpu / served * 1000 if served else None,
        "db_cpu_ms": database_cpu / served * 1000 if served and database_cpu is not None else None,
    }


def settle(target: Target, admin, limit: float = 120) -> None:
    """Waits (up to `limit` s) for the server and its database to be idle. A load generator
    stops with requests in flight, which a slow page (a count over 1,000,000 tasks: seconds
    under load) goes on serving: they must not load the next measurement."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        servers = process_tree(target.process.pid)
        before = cpu_by_pid(servers)
        time.sleep(0.25)
        (active,) = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
            "AND pid <> pg_backend_pid()",
            (target.database,),
        ).fetchone()
        if not active and cpu_since(before, servers) < 0.025:
            return
    log(f"{target.name} still busy after {limit:.0f} s")


def postmaster_of(admin) -> int | None:
    """The PostgreSQL server's first process (the parent of a backend), if this machine's."""
    (backend,) = admin.execute("SELECT pg_backend_pid()").fetchone()
    with contextlib.suppress(OSError, IndexError, ValueError):
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return None


def postgres_cpu(postmaster: int | None) -> float | None:
    """CPU seconds of the whole PostgreSQL server so far: the postmaster and its processes,
    live ones and those it reaped (closed connections, parallel workers of a query)."""
    if postmaster is None:
        return None
    fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    reaped = sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return reaped + sum(cpu_by_pid(process_tree(postmaster)[1:]).values())


@contextlib.contextmanager
def _wrk(url: str, request: Request, viewers, args):
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(f"wrk.method = {json.dumps(request.method)}\n")
        if request.body is not None:
            script.write(f"wrk.body = {json.dumps(request.body)}\n")
        for header, value in request.headers.items():
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
        command = ["wrk", "-t1", f"-c{args.connections}", "--timeout", "60s", "-s", script.name]
        command.append("--latency")
        if args.warmup:
            subprocess.run([*command, f"-d{args.warmup}s", url], capture_output=True, check=True)

        def run():
            output = subprocess.run(
                [*command, f"-d{args.seconds}s", url], capture_output=True, check=True, text=True
            ).stdout
            failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
            socket_errors = re.search(r"Socket errors: (.*)", output)
            errors = int(failed.group(1)) if failed else 0
            if socket_errors:
                errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
            served = int(re.search(r"(\d+) requests in", output).group(1))
            p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
            p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
            return {
                "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
                "p50": _wrk_ms(p50.group(1)) if served and p50 else None,
                "p99": _wrk_ms(p99.group(1)) if served and p99 else None,
                "errors": errors,
                "served": served,
            }

        yield run


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def _worker(url, request, viewers, turns, stop_at, latencies, errors):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = request.headers
    while time.monotonic() < stop_at:
        if viewers:
            headers = {**headers, "Authorization": f"Bearer {viewers[next(turns) % len(viewers)]}"}
        started = time.perf_counter()
        try:
            connection.request(request.method, request.path, request.body, headers)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            ok = False
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(1)


def _load(url, request, viewers, connections, seconds, warmup, results, ready, go):
    """Runs in its own process: `connections` keep-alive clients, `warmup` seconds, then, once
    told to `go`, `seconds` measured."""
    turns = itertools.count()
    for measured, duration in ((False, warmup), (True, seconds)):
        if measured:
            ready.set()
            go.wait()
        latencies, errors = [], []
        stop_at = time.monotonic() + duration
        threads = [
            threading.Thread(
                target=_worker, args=(url, request, viewers, turns, stop_at, latencies, errors)
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
def _python_load(url: str, request: Request, viewers, args):
    """A Python load generator (its own CPU competes with the servers' on a small machine)."""
    results, ready, go = multiprocessing.Queue(), multiprocessing.Event(), multiprocessing.Event()
    process = multiprocessing.Process(
        target=_load,
        args=(url, request, viewers, args.connections, args.seconds, args.warmup, results),
        kwargs={"ready": ready, "go": go},
    )
    process.start()
    ready.wait(timeout=120)

    def run():
        go.set()
        outcome = results.get(timeout=args.seconds + 120)
        process.join()
        return outcome

    yield run


def rotated(items: list, by: int) -> list:
    by = by % len(items) if items else 0
    return items[by:] + items[:by]


def measure_rounds(targets, cache, args, admin, results, broken) -> None:
    """`--rounds` rounds of every page of every target, then (caches off) `--viewer-rounds`
    rounds of the Stride pages from viewer after viewer; the order rotates every round."""
    plan = [(False, args.rounds)]
    if cache == "off" and args.viewers:
        plan.append((True, args.viewer_rounds))
    for viewers, rounds in plan:
        for round_number in range(rounds):
            for page in rotated(args.pages, round_number):
                measured = [
                    target
                    for target in targets
                    if page in target.requests
                    and (target.name, page) not in broken
                    and not (viewers and target.name == PEER)
                ]
                for target in rotated(measured, round_number):
                    label = f"{page}, viewers" if viewers else page
                    log(f"caches {cache}, round {round_number + 1}/{rounds}: {target.name} {label}")
                    try:
                        row = measure(target, page, args, admin, viewers=viewers)
                    except (subprocess.CalledProcessError, AttributeError, OSError) as error:
                        broken[target.name, page] = f"load failed: {error}"
                        continue
                    results.append(
                        {"cache": cache, "round": round_number + 1, "page": label}
                        | {"target": target.name, **row}
                    )


def check_pages(targets, args, broken, failures, cache) -> None:
    """Every page of every target checked; the 50 ids of each compared with the first's."""
    seen = {}
    for target in targets:
        for page in args.pages:
            if page not in target.requests:
                continue
            try:
                seen[target.name, page] = check_page(target, page, args.tasks)
                if args.viewers and args.viewer_rounds and target.viewer_tokens and cache == "off":
                    check_page(target, page, args.tasks, token=target.viewer_tokens[-1])
            except (BenchError, OSError, http.client.HTTPException) as error:
                broken[target.name, page] = str(error)
                failures.append(f"caches {cache}: {target.name} `{page}` not measured: {error}")
    if len({tuple(ids) for ids in seen.values()}) > 1:
        first = next(iter(seen))
        for key, ids in seen.items():
            if ids != seen[first]:
                failures.append(
                    f"caches {cache}: {key[0]} `{key[1]}` answered other tasks than "
                    f"{first[0]} `{first[1]}` (ids {ids[:3]}... against {seen[first][:3]}...)"
                )


# Instructions and EXPLAIN.


def count_instructions(checkout: Checkout, port: int, requests: int, args) -> dict[str, float]:
    """Machine instructions the checkout's server executes per request of each page, caches
    off, one worker, under valgrind's callgrind (~50x slower, but exact where req/s drifts by
    10% between runs). Every thread is counted, from the first byte of a request read to the
    last written, after a warm-up of each page; PostgreSQL's work is not."""
    pages = stride_requests(checkout.token)
    with tempfile.TemporaryDirectory() as directory:
        tool = ("valgrind", "--quiet", "--tool=callgrind", "--instr-atstart=no")
        tool += (f"--callgrind-out-file={directory}/callgrind.out",)
        server = start_stride(checkout, port, False, args, workers=1, under=tool, wait=600)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

            def send(request, times):
                for _ in range(times):
                    connection.request(request.method, request.path, request.body, request.headers)
                    response = connection.getresponse()
                    response.read()
                    if response.status != 200:
                        raise BenchError(f"{request.path} answered {response.status}")

            def control(*options):
                subprocess.run(
                    ["callgrind_control", *options, str(server.pid)],
                    capture_output=True,
                    check=True,
                )

            for page in args.pages:
                send(pages[page], 5)
            control("-i", "on")
            counts = {}
            for page in args.pages:
                control("-z")
                send(pages[page], requests)
                dumped = set(Path(directory).iterdir())
                control("-d")
                (dump,) = set(Path(directory).iterdir()) - dumped
                total = re.search(r"^(?:summary|totals): (\d+)", dump.read_text(), re.MULTILINE)
                counts[page] = int(total.group(1)) / requests
            return counts
        finally:
            stop(server)


EXPLAIN = r"""
import importlib, json, sys
import django
django.setup()
from django.db import connection
from django.db.backends import utils
from django.test import Client
from backend.accounts.models import User
from backend.accounts.services import tokens_for

owner = User.objects.get(username=sys.argv[1])
captured = []
execute = utils.CursorWrapper._execute


def capturing(self, sql, params, *rest):  # every thread's queries, not only this one's
    captured.append((sql, params))
    return execute(self, sql, params, *rest)


def counts():
    return [(sql, params) for sql, params in captured if "COUNT(" in sql.upper()]


report = {"queries": [], "notes": []}
token = str(tokens_for(owner).access_token)
utils.CursorWrapper._execute = capturing
answer = Client().post(
    "/graphql/",
    {"query": "query { tasks(pagination: {limit: 1}) { totalCount } }"},
    content_type="application/json",
    HTTP_AUTHORIZATION="Bearer " + token,
)
utils.CursorWrapper._execute = execute
found = counts()
report["notes"].append("GraphQL totalCount answered " + answer.content.decode()[:200])
report["queries"] += [("GraphQL totalCount", sql, params) for sql, params in found]
if not found:
    report["notes"].append("no COUNT in the SQL of GraphQL totalCount: " + json.dumps(
        [sql[:300] for sql, _ in captured], default=str))

selectors = importlib.import_module("backend.tasks.selectors")
names = ("task_list", "tasks_visible_to", "visible_tasks", "list_tasks", "tasks_for")
name = next((name for name in names if callable(getattr(selectors, name, None))), None)
if name is None:
    report["notes"].append("backend.tasks.selectors has none of " + ", ".join(names)
        + "; it has " + ", ".join(n for n in dir(selectors) if not n.startswith("_")))
else:
    captured.clear()
    utils.CursorWrapper._execute = capturing
    getattr(selectors, name)(user=owner).count()
    utils.CursorWrapper._execute = execute
    report["queries"] += [(f"selectors.{name}(user=owner).count()", sql, params)
                          for sql, params in counts()]
plans, done = [], set()
for source, sql, params in report["queries"]:
    if (sql, repr(params)) in done:
        plans[-1]["source"] += " and " + source
        continue
    done.add((sql, repr(params)))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    plans.append({"source": source, "sql": sql, "params": repr(params), "plan": plan})
report["plans"] = plans
del report["queries"]
print("EXPLAIN " + json.dumps(report, default=str))
"""


def explain(checkout: Checkout, args) -> dict:
    output = run_in(checkout, args, [sys.executable, "-c", EXPLAIN, OWNER])
    return json.loads(output.rsplit("EXPLAIN ", 1)[1])


# Report.


def number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def summary(results, cache, page, target):
    rows = [r for r in results if (r["cache"], r["page"], r["target"]) == (cache, page, target)]
    if not rows:
        return None

    def mean(key):
        values = [r[key] for r in rows if r[key] is not None]
        return statistics.mean(values) if values else None

    rates = [r["rps"] for r in rows]
    return {
        "rps": statistics.mean(rates),
        "min": min(rates),
        "max": max(rates),
        **{key: mean(key) for key in ("p50", "p99", "cpu_ms", "db_cpu_ms")},
        "errors": sum(r["errors"] for r in rows),
        "served": sum(r["served"] for r in rows),
    }


def table(results, cache, checkouts: list[str], peer: bool, pages: list[str]) -> list[str]:
    targets = [*checkouts, *([PEER] if peer else [])]
    rows = [r for r in results if r["cache"] == cache]
    labels = [*pages, *(f"{page}, viewers" for page in pages)]
    labels = [label for label in labels if any(r["page"] == label for r in rows)]
    header = ["page", *(f"{t} req/s (min-max)" for t in targets)]
    header += [f"{t}/{PEER}" for t in checkouts if peer]
    header += [f"{t}/{checkouts[0]}" for t in checkouts[1:]]
    header += [f"{t} p50 / p99 ms" for t in targets]
    header += [f"{t} CPU ms/req, server + PostgreSQL" for t in targets]
    header += [f"errors ({' / '.join(targets)})"]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    for label in labels:
        stats = {t: summary(results, cache, label, t) for t in targets}
        peer_stats = stats.get(PEER)  # none in the rows of viewers (PostGraphile has no users)

        def ratio(a, b):
            return f"{a['rps'] / b['rps']:.2f}x" if a and b and b["rps"] else "-"

        cells = [label]
        for t in targets:
            s = stats[t]
            few = "*" if s and s["served"] < FEW else ""  # too few for a rate: longer runs
            cells.append(
                f"{number(s['rps'])}{few} ({number(s['min'])}-{number(s['max'])})" if s else "-"
            )
        cells += [ratio(stats[t], peer_stats) for t in checkouts if peer]
        cells += [ratio(stats[t], stats[checkouts[0]]) for t in checkouts[1:]]
        for t in targets:
            s = stats[t]
            cells.append(f"{number(s['p50'])} / {number(s['p99'])}" if s else "-")
        for t in targets:
            s = stats[t]
            cells.append(f"{number(s['cpu_ms'])} + {number(s['db_cpu_ms'])}" if s else "-")
        cells.append(" / ".join(str(stats[t]["errors"]) if stats[t] else "-" for t in targets))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


# Main.


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--checkout",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a Stride checkout to measure (repeatable; default: this one, as `current`)",
    )
    parser.add_argument("--database-prefix", default="stride_bench_1m")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--viewers", type=int, default=2000, help="project members to send as")
    parser.add_argument("--reseed", action="store_true", help="seed the tasks even if counted")
    parser.add_argument("--port", type=int, default=8400, help="the first checkout's; then +1")
    parser.add_argument("--peer-port", type=int, default=8490)
    parser.add_argument("--web-workers", type=int, default=2, help="Uvicorn workers a checkout")
    parser.add_argument("--load", choices=["wrk", "python"], default="wrk")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10, help="measured, per page and round")
    parser.add_argument("--warmup", type=int, default=2, help="unrecorded, before each")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--viewer-rounds",
        type=int,
        default=1,
        help="rounds (caches off) with each request from the next viewer",
    )
    parser.add_argument("--pages", default=",".join(PAGES), help=f"among {','.join(PAGES)}")
    parser.add_argument(
        "--postgraphile", default="/work/peer/node_modules/.bin/postgraphile", help="its CLI"
    )
    parser.add_argument("--postgraphile-workers", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the count")
    parser.add_argument("--instructions", type=int, default=0, metavar="N")
    args = parser.parse_args()
    args.pages = [page.strip() for page in args.pages.split(",") if page.strip()]
    if unknown := set(args.pages) - set(PAGES):
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    if args.rounds and args.load == "wrk" and shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt-get install valgrind)")
    checkouts = []
    for spec in args.checkout or [f"current={ROOT}"]:
        name, separator, path = spec.partition("=")
        if not separator or not re.fullmatch(r"[A-Za-z0-9_]+", name):
            parser.error(f"--checkout {spec}: NAME=PATH, NAME of letters, digits and _")
        database = f"{args.database_prefix}_{name}".lower()
        if not re.fullmatch(r"[a-z0-9_]+", database) or any(
            database == c.database for c in checkouts
        ):
            parser.error(f"--checkout {spec}: database {database} invalid or taken")
        checkouts.append(Checkout(name, Path(path).resolve(), database))
    args.run_id = time.strftime("%Y%m%d%H%M%S")
    args.postmaster = None
    args.logs = Path(tempfile.mkdtemp(prefix="stride-bench-api-"))
    return args, checkouts


def main():
    args, checkouts = parse_arguments()
    started = datetime.datetime.now(datetime.UTC)
    failures, results, broken, notes = [], [], {}, []
    admin = psycopg.connect(f"{args.postgres}/postgres", autocommit=True)
    args.postmaster = postmaster_of(admin)
    for checkout in checkouts:
        try:
            prepare(checkout, args, admin)
        except (BenchError, psycopg.Error, OSError, subprocess.SubprocessError) as error:
            checkout.failure = str(error)
            failures.append(f"{checkout.name} ({checkout.path}) not measured: {error}")
            log(f"{checkout.name}: FAILED: {error}")
    ready = [checkout for checkout in checkouts if checkout.failure is None]

    peer = peer_version = None
    if not args.rounds or not ready:
        pass
    elif not Path(args.postgraphile).exists():
        notes.append(
            f"PostGraphile not measured: no {args.postgraphile} "
            "(npm install --prefix /work/peer postgraphile@4.9.2)"
        )
    else:
        try:
            process, peer_version = start_peer(ready[0].database, args)
            base = f"http://127.0.0.1:{args.peer_port}"
            peer = Target(PEER, base, ready[0].database, process, peer_requests())
            check_peer_schema(base)
        except (BenchError, OSError, KeyError, TypeError) as error:
            failures.append(f"{PEER} not measured: {error}")
            if peer:
                stop(peer.process)
            peer = None

    load_before = os.getloadavg()
    try:
        for cache_on in (False, True) if args.rounds else ():
            cache = "on" if cache_on else "off"
            targets = []
            for index, checkout in enumerate(ready):
                port = args.port + index
                log(f"{checkout.name}: starting Uvicorn on {port}, caches {cache}")
                try:
                    process = start_stride(checkout, port, cache_on, args, args.web_workers)
                except BenchError as error:
                    failures.append(f"caches {cache}: {checkout.name}'s server failed: {error}")
                    continue
                targets.append(
                    Target(
                        checkout.name,
                        f"http://127.0.0.1:{port}",
                        checkout.database,
                        process,
                        stride_requests(checkout.token),
                        checkout.viewer_tokens,
                    )
                )
            try:
                measured = [*targets, *([peer] if peer else [])]
                check_pages(measured, args, broken, failures, cache)
                measure_rounds(measured, cache, args, admin, results, broken)
            finally:
                for target in targets:
                    stop(target.process)
    finally:
        if peer:
            stop(peer.process)
    load_after = os.getloadavg()

    instructions = {}
    for index, checkout in enumerate(ready if args.instructions else ()):
        log(f"{checkout.name}: counting instructions (valgrind)")
        try:
            instructions[checkout.name] = count_instructions(
                checkout, args.port + index, args.instructions, args
            )
        except (BenchError, OSError, subprocess.SubprocessError) as error:
            failures.append(f"{checkout.name}: instructions not counted: {error}")
    explained = {}
    for checkout in ready if args.explain else ():
        log(f"{checkout.name}: EXPLAIN ANALYZE of the count")
        try:
            explained[checkout.name] = explain(checkout, args)
        except (BenchError, OSError, subprocess.SubprocessError, ValueError) as error:
            explained[checkout.name] = {"notes": [f"failed: {error}"], "plans": []}

    names = [c.name for c in ready if any(r["target"] == c.name for r in results)]
    commits = ", ".join(f"{c.name} = {c.commit} ({c.path})" for c in checkouts)
    comments = ready[0].seeding.get("comments", 0) if ready else 0
    workers, cores = args.postgraphile_workers, len(os.sched_getaffinity(0))
    print(
        f"\n{started:%Y-%m-%d %H:%M} UTC, {cores} cores {platform.machine()}, "
        f"load average {load_before[0]:.2f} before and {load_after[0]:.2f} after (1 min).\n"
        f"{args.tasks:,} tasks, {comments:,} comments, {args.viewers:,} viewers; {args.load}, "
        f"{args.connections} connections, {args.seconds} s a page after {args.warmup} s of "
        f"warm-up, {args.rounds} round(s) (+{args.viewer_rounds} of viewers, caches off); "
        f"Uvicorn --workers {args.web_workers}.\nCheckouts: {commits}."
    )
    if peer:
        print(
            f"{PEER} {peer_version}: {workers} Node process{'es' if workers > 1 else ''}, "
            f"reading {peer.database}."
        )
    for cache in ("off", "on"):
        if any(r["cache"] == cache for r in results):
            print(f"\nCaches {cache} (CACHE_SELECTORS={int(cache == 'on')}):\n")
            print("\n".join(table(results, cache, names, bool(peer), args.pages)))
    if results:
        print(
            f"\n`*`: fewer than {FEW} requests completed in all: too few for a rate. CPU: the "
            "server's processes (Uvicorn's master and workers, or Node) + the whole PostgreSQL "
            "server (every backend and parallel worker; others' queries too on a shared machine)."
        )
    if peer:
        print(
            f"{PEER} has no visibility rule: it reads every task, where Stride filters to what "
            "the bench owner may see (every task here). It has no caches: its pages are measured "
            "again in each table."
        )
    for checkout in ready:
        if checkout.seeding.get("seeded"):
            print(f"\n{checkout.name}: seeded in {checkout.seeding['seconds']:.0f} s.")
    for name, counts in instructions.items():
        print(
            f"\n{name}: server instructions per request over {args.instructions} requests: "
            + ", ".join(f"{page} {count / 1e6:.2f} million" for page, count in counts.items())
        )
    for name, report in explained.items():
        checkout = next(c for c in checkouts if c.name == name)
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the count, {name} ({checkout.database}):")
        for note in report["notes"]:
            print(f"  {note}")
        for plan in report["plans"]:
            print(f"\n  From {plan['source']}:\n  {plan['sql']}\n  params {plan['params']}\n")
            print("\n".join("    " + line for line in plan["plan"].splitlines()))
    for line in notes + failures:
        print(f"\n- {line}")
    if failures:
        print(f"\nServer logs: {args.logs}")
    else:
        shutil.rmtree(args.logs, ignore_errors=True)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "started": started.isoformat(),
                    "machine": {"cores": len(os.sched_getaffinity(0)), "arch": platform.machine()},
                    "load_average": {"before": load_before, "after": load_after},
                    "settings": {
                        key: str(value) if isinstance(value, Path) else value
                        for key, value in vars(args).items()
                    },
                    "checkouts": [
                        {
                            "name": c.name,
                            "path": str(c.path),
                            "commit": c.commit,
                            "database": c.database,
                            "seeding": c.seeding,
                            "failure": c.failure,
                        }
                        for c in checkouts
                    ],
                    "postgraphile": {
                        "version": peer_version,
                        "database": peer.database if peer else None,
                        "queries": {
                            page: peer_query(*shape) for page, shape in GRAPHQL_PAGES.items()
                        },
                    },
                    "stride_queries": {
                        page: stride_query(*shape) for page, shape in GRAPHQL_PAGES.items()
                    },
                    "results": results,
                    "instructions": instructions,
                    "explain": explained,
                    "failures": failures,
                    "notes": notes,
                },
                indent=1,
            )
        )
        print(f"\nRaw results: {args.json}")


if __name__ == "__main__":
    main()
