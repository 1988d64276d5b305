"""Assignment notifications per second, end to end, with 1 and 2 worker processes.

Each assignment goes the whole way: `assign_task` commits, the after-commit subscriber enqueues
a Celery task on the broker, a worker renders the e-mail and hands it to an SMTP server (a
local aiosmtpd). The clock runs from the first assignment to the last e-mail received.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/jobs.py --tasks 300

It uses the configured database and broker (a queue of its own) and deletes what it created.
"""

import argparse
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUEUE = f"stride-bench-{uuid.uuid4().hex[:6]}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
# Production-like: DEBUG off (cached templates), so a secret key must be there.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-" + "0123456789abcdef" * 3)
os.environ["CELERY_QUEUE"] = QUEUE

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402

from backend.accounts.models import User  # noqa: E402
from backend.projects.services import add_project_member, create_project  # noqa: E402
from backend.tasks.models import Task  # noqa: E402
from backend.tasks.services import assign_task, create_task  # noqa: E402
from workers import celery_app  # noqa: E402


class Counter:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def start_worker(concurrency, smtp_port):
    env = {
        **os.environ,
        "CELERY_QUEUE": QUEUE,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    command = [
        str(Path(sys.executable).parent / "celery"), "-A", "workers", "worker",
        "--loglevel", "warning", "--concurrency", str(concurrency), "--queues", QUEUE,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    # Ready when it answers a ping on this queue's broker.
    deadline = time.monotonic() + 60
    while not celery_app.control.ping(timeout=0.5):
        if time.monotonic() > deadline or worker.poll() is not None:
            raise RuntimeError("the worker did not start")
    return worker


def assign_all(tasks, assigner, assignee):
    for task in tasks:
        assign_task(actor=assigner, task_id=task.id, assignee_id=assignee.id)


def wait_for_emails(counter, expected):
    deadline = time.monotonic() + 600
    while counter.received < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {counter.received} of {expected} e-mails arrived")
        time.sleep(0.005)


def run(concurrency, tasks, assigner, new_assignee, counter, smtp_port):
    """(assignments/s end to end, seconds spent assigning, e-mails/s draining a full queue)."""
    worker = start_worker(concurrency, smtp_port)
    try:
        counter.received = 0
        started = time.perf_counter()
        assign_all(tasks, assigner, new_assignee())
        assigning = time.perf_counter() - started
        wait_for_emails(counter, len(tasks))
        end_to_end = len(tasks) / (time.perf_counter() - started)

        # The workers alone: the queue is filled while they do not consume, then released.
        celery_app.control.cancel_consumer(QUEUE, reply=True)
        assign_all(tasks, assigner, new_assignee())
        counter.received = 0
        started = time.perf_counter()
        celery_app.control.add_consumer(QUEUE, reply=True)
        wait_for_emails(counter, len(tasks))
        draining = len(tasks) / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait()
    return end_to_end, assigning, draining


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--smtp-port", type=int, default=2590)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    counter = Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=options.smtp_port)
    smtp.start()
    tag = uuid.uuid4().hex[:6]
    assigner = User.objects.create_user(f"bench-{tag}-a", f"bench-{tag}-a@example.com")
    assignees = []
    # Assignees must be members of the task's project.
    project = create_project(actor=assigner, name=f"Bench {tag}")

    def new_assignee():
        """Someone new each round: re-assigning to the same person would send nothing."""
        name = f"bench-{tag}-{len(assignees)}"
        assignees.append(User.objects.create_user(name, f"{name}@example.com"))
        add_project_member(actor=assigner, project_id=project.id, user_id=assignees[-1].id)
        return assignees[-1]

    try:
        tasks = [
            create_task(actor=assigner, title=f"Bench task {n}", project_id=project.id)
            for n in range(options.tasks)
        ]
        print(f"{options.tasks} assignments, e-mail to aiosmtpd on :{options.smtp_port}")
        for concurrency in options.workers:
            end_to_end, assigning, draining = run(
                concurrency, tasks, assigner, new_assignee, counter, options.smtp_port
            )
            print(
                f"{concurrency} worker process(es): {end_to_end:6.1f} assignments/s end to end "
                f"(assigning alone took {assigning:.1f} s: {len(tasks) / assigning:.1f}/s); "
                f"workers draining a full queue: {draining:6.1f} e-mails/s"
            )
    finally:
        Task.objects.filter(created_by=assigner).delete()
        project.delete()
        User.objects.filter(id__in=[assigner.id, *(user.id for user in assignees)]).delete()
        celery_app.control.purge()
        smtp.stop()


if __name__ == "__main__":
    main()
