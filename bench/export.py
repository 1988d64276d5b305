"""CSV export at 1,000,000 rows: rows/s and the peak memory of the worker process that writes it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stride_export_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 CELERY_QUEUE=stride-export-bench \\
        .venv/bin/python bench/export.py [--rows 1000000] [--rounds 2]

It migrates the database named by DATABASE_URL (created if missing; the bench's own, never a
real one: every task in it is replaced), seeds with plain SQL a user who may see `--rows` tasks
(10% in one project, 90% in another) beside 5% more that are another user's private tasks, and
starts a real `celery worker` (one prefork child). Each round submits exports through the
service the front doors call (`request_export`) and times them from the job's `started_at` to
`finished_at`; the pool child's peak resident memory (VmHWM, reset before each export through
/proc/<pid>/clear_refs) is its memory while writing, the figure the target is about. The
baseline, in the same run, writes the same rows the naive way, every row loaded into a list
first, in a process of its own whose peak (ru_maxrss) is read the same way. Linux only.
"""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("CELERY_QUEUE", "stride-export-bench")

OWNER, OTHER = "bench_export_owner", "bench_export_other"

NAIVE = """
import csv, json, os, resource, sys, time
import django
django.setup()
from backend.accounts.models import User
from backend.tasks import selectors
from backend.tasks.csv_columns import EXPORTED_COLUMNS
user = User.objects.get(username=sys.argv[1])
criteria = json.loads(sys.argv[2])
started = time.monotonic()
tasks = selectors.task_list(user=user, **criteria).order_by("id")
rows = list(tasks.values_list(*EXPORTED_COLUMNS))
with open(sys.argv[3], "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    writer.writerow(EXPORTED_COLUMNS)
    writer.writerows([v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in rows)
print(json.dumps({"rows": len(rows), "seconds": time.monotonic() - started,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def prepare_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    admin = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db["NAME"],)).fetchone():
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, check=True
    )


def seed(rows: int) -> dict:
    """The owner (a member of two projects) and `rows` tasks they see, 10% in the first project,
    plus `rows / 20` private tasks of another user; kept when already there."""
    from django.db import connection

    from backend.accounts.models import User
    from backend.projects.services import create_project

    owner = User.objects.filter(username=OWNER).first() or User.objects.create_user(
        OWNER, f"{OWNER}@example.com", "bench-export-pass"
    )
    other = User.objects.filter(username=OTHER).first() or User.objects.create_user(
        OTHER, f"{OTHER}@example.com", "bench-export-pass"
    )
    projects = list(owner.owned_projects.order_by("id")[:2])
    while len(projects) < 2:
        projects.append(create_project(actor=owner, name=f"Export bench {len(projects) + 1}"))
    small, large = (project.id for project in projects)
    private = rows // 20
    from backend.tasks.models import Task

    if Task.objects.count() == rows + private:
        log(f"keeping the {rows + private} tasks already there")
        return {"owner": owner.id, "small_project": small}
    log(f"seeding {rows} visible and {private} private tasks")
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tasks_task RESTART IDENTITY CASCADE")
        cursor.execute(
            """
            INSERT INTO tasks_task (title, description, status, priority, due_date, created_at,
                updated_at, completed_at, version, assignee_id, created_by_id, project_id)
            SELECT 'Exported task ' || n,
                   CASE WHEN mod(n, 4) = 0
                        THEN 'Line one, with a comma' || chr(10) || 'and "a quote"'
                        ELSE '' END,
                   (ARRAY['pending', 'in_progress', 'completed'])[1 + mod(n, 3)::int],
                   (ARRAY['low', 'medium', 'high', 'urgent'])[1 + mod(n / 3, 4)::int],
                   CASE WHEN mod(n, 6) = 0 THEN NULL
                        ELSE now() + (mod(n * 7919, 1095) - 365) * interval '1 day' END,
                   now() - n * interval '1 minute', now() - n * interval '1 minute',
                   NULL, 1,
                   CASE WHEN n > %(rows)s THEN NULL WHEN mod(n, 2) = 0 THEN %(owner)s END,
                   CASE WHEN n > %(rows)s THEN %(other)s ELSE %(owner)s END,
                   CASE WHEN n > %(rows)s THEN NULL WHEN mod(n, 10) = 0 THEN %(small)s
                        ELSE %(large)s END
            FROM generate_series(1, %(total)s::bigint) AS n
            """,
            {
                "rows": rows,
                "total": rows + private,
                "owner": owner.id,
                "other": other.id,
                "small": small,
                "large": large,
            },
        )
        cursor.execute("ANALYZE tasks_task")
    log(f"seeded in {time.monotonic() - started:.1f} s")
    return {"owner": owner.id, "small_project": small}


def start_worker(media: Path, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "MEDIA_ROOT": str(media), "DEBUG": "0"}
    command = [
        str(Path(sys.executable).parent / "celery"), "-A", "workers", "worker",
        "--loglevel", "warning", "--concurrency", "1", "--pool", "prefork",
        "--queues", os.environ["CELERY_QUEUE"],
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log_path.open("w"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while not children(process.pid):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"the worker did not start: {log_path.read_text()}")
        time.sleep(0.2)
    time.sleep(2)  # let the child finish importing
    return process


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from every /proc/<pid>/stat (any thread forks)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def export_once(worker_pid: int, owner_id: int, criteria: dict) -> dict:
    from backend.accounts.models import User
    from backend.jobs.exports import request_export
    from backend.jobs.models import Job

    (child,) = children(worker_pid)
    Path(f"/proc/{child}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    idle = status_kib(child, "VmRSS")
    job = request_export(actor=User.objects.get(id=owner_id), criteria=criteria)
    while not Job.objects.get(id=job.id).is_finished:
        time.sleep(0.1)
    job.refresh_from_db()
    if job.status != "COMPLETED":
        raise RuntimeError(f"export {job.id} {job.status}: {job.error}")
    seconds = (job.finished_at - job.started_at).total_seconds()
    result = {
        "way": "stride export job (worker)",
        "rows": job.result["rows"],
        "seconds": seconds,
        "rows_per_s": job.result["rows"] / seconds,
        "mb": job.result["bytes"] / 1e6,
        "idle_mib": idle / 1024,
        "peak_mib": status_kib(child, "VmHWM") / 1024,
    }
    job.file.delete(save=False)
    return result


def naive_once(owner_id: int, criteria: dict, media: Path) -> dict:
    from backend.accounts.models import User

    username = User.objects.get(id=owner_id).username
    output = subprocess.run(
        [sys.executable, "-c", NAIVE, username, json.dumps(criteria), str(media / "naive.csv")],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    (media / "naive.csv").unlink()
    return {
        "way": "naive: rows loaded into a list, then written",
        "rows": figures["rows"],
        "seconds": figures["seconds"],
        "rows_per_s": figures["rows"] / figures["seconds"],
        "mb": None,
        "idle_mib": None,
        "peak_mib": figures["peak_kib"] / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    args = parser.parse_args()

    prepare_database()
    import django

    django.setup()
    from workers import celery_app

    seeded = seed(args.rows)
    celery_app.control.purge()
    with tempfile.TemporaryDirectory(prefix="stride-export-bench-") as temporary:
        media = Path(temporary)
        worker = start_worker(media, media / "worker.log")
        results = []
        try:
            for round_ in range(1, args.rounds + 1):
                for label, criteria in (
                    ("10%", {"project_id": seeded["small_project"]}),
                    ("all", {}),
                ):
                    result = export_once(worker.pid, seeded["owner"], criteria)
                    results.append({"round": round_, "set": label, **result})
                    log(json.dumps(results[-1]))
                if not args.no_naive:
                    results.append(
                        {"round": round_, "set": "all", **naive_once(seeded["owner"], {}, media)}
                    )
                    log(json.dumps(results[-1]))
        except BaseException:
            log((media / "worker.log").read_text()[-3000:])
            raise
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    print("| round | rows | way | seconds | rows/s | file MB | worker idle MiB | peak MiB |")
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        mb = f"{r['mb']:.0f}" if r["mb"] is not None else ""
        idle = f"{r['idle_mib']:.0f}" if r["idle_mib"] is not None else ""
        print(
            f"| {r['round']} | {r['rows']:,} | {r['way']} | {r['seconds']:.1f} | "
            f"{r['rows_per_s']:,.0f} | {mb} | {idle} | **{r['peak_mib']:.0f}** |"
        )
    print(
        f"\nbench process peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
