"""Bulk ingestion throughput: one import of 1,000 records, and ten at once, on real workers.

A Celery worker (prefork, `--workers` processes, a queue of its own) runs the `ingest` jobs;
the records name a project and an assignee, so every rule of createTask is checked. For each
setting of brief 004's simulated external call (`--simulated-call`, seconds per 100 records):

- worker time of one job of 1,000 valid records (started_at -> finished_at, median of runs);
- records/s of one job, and of ten jobs submitted at once (first submit -> last job finished);
- latency of a web request (`GET /api/data/status/<id>/` on a Uvicorn server of its own) while
  the ten jobs run, against the same request on an idle server.

The same-run baseline is the way without bulk: 1,000 `create_task` calls, in this process.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/ingest.py --port 8323

It uses the configured database and broker and deletes what it created.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUEUE = f"stride-bench-{uuid.uuid4().hex[:6]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
# Production-like: DEBUG off, so a secret key must be there.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("THROTTLE_USER_RATE", "1000000/min")
os.environ["CELERY_QUEUE"] = QUEUE

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.accounts.services import tokens_for  # noqa: E402
from backend.jobs.ingestion import MAX_RECORDS, submit_ingestion  # noqa: E402
from backend.jobs.models import Job, JobStatus  # noqa: E402
from backend.projects.models import Project  # noqa: E402
from backend.projects.services import add_project_member, create_project  # noqa: E402
from backend.tasks.models import Task  # noqa: E402
from backend.tasks.services import create_task  # noqa: E402
from workers import celery_app  # noqa: E402

BIN = Path(sys.executable).parent


def start_worker(processes: int, simulated_call: float) -> subprocess.Popen:
    env = {**os.environ, "INGEST_SIMULATED_CALL_SECONDS": str(simulated_call)}
    command = [
        str(BIN / "celery"), "-A", "workers", "worker", "--loglevel", "warning",
        "--concurrency", str(processes), "--queues", QUEUE,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while not celery_app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError("the worker did not start")
    return worker


def start_web(port: int) -> subprocess.Popen:
    command = [
        str(BIN / "uvicorn"), "backend.asgi:application", "--port", str(port),
        "--log-level", "warning", "--timeout-graceful-shutdown", "2",
    ]  # fmt: skip
    web = subprocess.Popen(command, cwd=ROOT, env=os.environ)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=2)
            return web
        except OSError:
            if time.monotonic() > deadline or web.poll() is not None:
                raise RuntimeError("the web server did not start") from None
            time.sleep(0.2)


class Prober:
    """Times one authenticated REST request, as a client polling an import would send it."""

    def __init__(self, port: int, token: str, job_id: int):
        self.request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/data/status/{job_id}/",
            headers={"Authorization": f"Bearer {token}"},
        )

    def once(self) -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(self.request, timeout=30) as response:
            json.loads(response.read())
        return (time.perf_counter() - started) * 1000

    def idle(self, count: int = 40) -> list[float]:
        return [self.once() for _ in range(count)]


def records(owner_tag: str, project: Project, assignee: User) -> list[dict]:
    return [
        {
            "title": f"{owner_tag} record {n}",
            "priority": ("low", "medium", "high", "urgent")[n % 4],
            "due_date": "2031-01-01T12:00:00Z",
            "project_id": project.id,
            "assignee_id": assignee.id,
        }
        for n in range(MAX_RECORDS)
    ]


def wait_finished(job_ids: list[int], timeout: float = 600) -> list[Job]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = list(Job.objects.filter(id__in=job_ids))
        if all(job.is_finished for job in jobs):
            break
        if time.monotonic() > deadline:
            raise RuntimeError("jobs did not finish")
        time.sleep(0.02)
    failed = [job for job in jobs if job.status != JobStatus.COMPLETED]
    if failed or any(job.result["imported"] != MAX_RECORDS for job in jobs):
        raise RuntimeError(f"jobs did not import everything: {[job.result for job in jobs]}")
    return jobs


def run_jobs(owner, project, assignee, count: int, prober: Prober | None = None):
    """(records/s from first submit to last finish, worker seconds per job, latencies in ms)."""
    payloads = [records(f"{uuid.uuid4().hex[:6]}", project, assignee) for _ in range(count)]
    started = time.perf_counter()
    job_ids = [submit_ingestion(actor=owner, records=payload)[0].id for payload in payloads]
    latencies = []
    if prober is not None:
        while not all(job.is_finished for job in Job.objects.filter(id__in=job_ids)):
            latencies.append(prober.once())
            time.sleep(0.05)
    jobs = wait_finished(job_ids)
    elapsed = time.perf_counter() - started
    # The clock stops when the last job's row says it finished, not when this loop noticed.
    last = max(job.finished_at for job in jobs)
    first_created = min(job.created_at for job in jobs)
    span = (last - first_created).total_seconds()
    worker_seconds = [(job.finished_at - job.started_at).total_seconds() for job in jobs]
    return count * MAX_RECORDS / max(span, 1e-9), worker_seconds, latencies, elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def baseline(owner, project, assignee) -> float:
    """1,000 create_task calls, one transaction each: records/s without the bulk path."""
    started = time.perf_counter()
    for record in records("baseline", project, assignee):
        # What the GraphQL and REST doors hand the service: a parsed due date.
        record["due_date"] = datetime.fromisoformat(record["due_date"])
        create_task(actor=owner, **record)
    return MAX_RECORDS / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=10, help="worker processes")
    parser.add_argument("--runs", type=int, default=5, help="single-job runs per setting")
    parser.add_argument("--port", type=int, default=8323, help="the web server's port")
    parser.add_argument("--simulated-call", type=float, nargs="+", default=[0.0, 0.5])
    options = parser.parse_args()

    tag = uuid.uuid4().hex[:6]
    owner = User.objects.create_user(f"bench-{tag}-owner", f"bench-{tag}-o@example.com")
    assignee = User.objects.create_user(f"bench-{tag}-assignee", f"bench-{tag}-a@example.com")
    project = create_project(actor=owner, name=f"Bench {tag}")
    add_project_member(actor=owner, project_id=project.id, user_id=assignee.id)
    web = start_web(options.port)
    print(
        f"{options.workers} worker processes (prefork), queue {QUEUE}; web on :{options.port}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    try:
        rate = baseline(owner, project, assignee)
        print(f"baseline, 1,000 create_task calls in-process: {rate:,.0f} records/s")
        celery_app.control.purge()
        for simulated_call in options.simulated_call:
            worker = start_worker(options.workers, simulated_call)
            try:
                single = [run_jobs(owner, project, assignee, 1) for _ in range(options.runs)]
                one_rate = statistics.median(rate for rate, *_ in single)
                one_worker = statistics.median(seconds[0] for _, seconds, *_ in single)
                probe_job = Job.objects.filter(owner=owner).first()
                prober = Prober(options.port, str(tokens_for(owner).access_token), probe_job.id)
                idle = prober.idle()
                ten_rate, ten_worker, during, _ = run_jobs(owner, project, assignee, 10, prober)
                runs = sorted(round(seconds[0], 3) for _, seconds, *_ in single)
                print(
                    f"simulated call {simulated_call} s per 100 records:\n"
                    f"  1 job:   {one_rate:8,.0f} records/s, worker time {one_worker:.3f} s "
                    f"(median of {options.runs}; runs {runs})\n"
                    f"  10 jobs: {ten_rate:8,.0f} records/s ({ten_rate / one_rate:.1f}x one job), "
                    f"worker time per job median {statistics.median(ten_worker):.3f} s, "
                    f"max {max(ten_worker):.3f} s\n"
                    f"  web request idle: p50 {percentile(idle, 0.5):.1f} ms, "
                    f"p99 {percentile(idle, 0.99):.1f} ms; during the 10 jobs ({len(during)}): "
                    f"p50 {percentile(during, 0.5):.1f} ms, p99 {percentile(during, 0.99):.1f} ms, "
                    f"max {max(during):.1f} ms"
                )
            finally:
                worker.terminate()
                worker.wait()
    finally:
        web.terminate()
        web.wait()
        celery_app.control.purge()
        Task.objects.filter(created_by=owner).delete()
        Job.objects.filter(owner=owner).delete()
        Project.objects.filter(id=project.id).delete()
        User.objects.filter(id__in=[owner.id, assignee.id]).delete()
        connection.close()


if __name__ == "__main__":
    main()
