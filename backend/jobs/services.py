"""Writes on jobs: submit, run (brief 002's simulated `process` work), finish, clean up.

Every state change is a conditional UPDATE on the status it expects, so a redelivered or
retried task, or two workers holding the same job, can never move a finished job backwards.
"""

import logging
import random
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from backend import events
from backend.events import DomainEvent, EventKind
from backend.jobs.errors import TransientError
from backend.jobs.models import EmailDelivery, Job, JobKind, JobStatus
from backend.notifications.models import NotificationKind
from backend.notifications.services import notify

logger = logging.getLogger(__name__)

PROGRESS_STEPS = 10


def job_event(kind: EventKind, job: Job) -> DomainEvent:
    """An event about a job; only its owner (and staff) may hear of it."""
    return DomainEvent(
        kind=kind,
        actor_id=job.owner_id,
        data={
            "job_id": job.id,
            "owner_id": job.owner_id,
            "kind": job.kind,
            "status": job.status,
            "progress": job.progress,
            "attempts": job.attempts,
            "celery_task_id": job.celery_task_id,
        },
    )


@transaction.atomic
def submit_job(
    *,
    actor,
    title: str,
    description: str = "",
    kind: str = JobKind.PROCESS,
    params: dict | None = None,
    idempotency_key: str = "",
) -> Job:
    """Queue a job for the actor; a worker picks it up once the transaction commits.

    An `idempotency_key` the actor used before is refused by the database (IntegrityError).
    """
    job = Job(
        owner=actor,
        kind=kind,
        title=title.strip(),
        description=description,
        params=params or {},
        idempotency_key=idempotency_key,
        # Chosen here so the client sees the id of the Celery task before it is even queued.
        celery_task_id=str(uuid.uuid4()),
    )
    # The key's uniqueness is left to the insert: a check before it would race.
    job.full_clean(validate_constraints=False)
    job.save()
    events.publish(job_event(EventKind.JOB_SUBMITTED, job))
    return job


def start_job(*, job_id: int) -> Job | None:
    """Mark the job PROCESSING and count the attempt; None if it is gone or already finished.

    A job found PROCESSING starts over: the worker that had it died, or its task is retried.
    """
    now = timezone.now()
    started = Job.objects.filter(
        id=job_id, status__in=(JobStatus.PENDING, JobStatus.PROCESSING)
    ).update(
        status=JobStatus.PROCESSING,
        progress=0,
        error="",
        attempts=F("attempts") + 1,
        started_at=now,
        updated_at=now,
    )
    if not started:
        return None
    job = Job.objects.get(id=job_id)
    events.publish(job_event(EventKind.JOB_PROGRESS, job))
    return job


def report_progress(*, job: Job, progress: int) -> bool:
    """Record how far a running job got; False when it is no longer running (deleted, failed)."""
    updated = Job.objects.filter(id=job.id, status=JobStatus.PROCESSING).update(
        progress=progress, updated_at=timezone.now()
    )
    if updated:
        job.progress = progress
        events.publish(job_event(EventKind.JOB_PROGRESS, job))
    return bool(updated)


@transaction.atomic
def complete_job(
    *,
    job: Job,
    result,
    notification_kind: str = NotificationKind.JOB_FINISHED,
    message: str | None = None,
) -> bool:
    """Finish a running job with its result and tell its owner (`message`, of
    `notification_kind`); False if it was not running."""
    now = timezone.now()
    completed = Job.objects.filter(id=job.id, status=JobStatus.PROCESSING).update(
        status=JobStatus.COMPLETED, progress=100, result=result, finished_at=now, updated_at=now
    )
    if completed:
        job.refresh_from_db()
        events.publish(job_event(EventKind.JOB_PROGRESS, job))
        notify(
            user_id=job.owner_id,
            kind=notification_kind,
            message=message or f"Job “{job.title}” completed.",
            data={"job_id": job.id, "status": job.status},
        )
    return bool(completed)


@transaction.atomic
def fail_job(*, job_id: int, error: str) -> bool:
    """Record that a job failed for good, with the reason, and tell its owner."""
    now = timezone.now()
    failed = Job.objects.filter(
        id=job_id, status__in=(JobStatus.PENDING, JobStatus.PROCESSING)
    ).update(status=JobStatus.FAILED, error=error[:10_000], finished_at=now, updated_at=now)
    if not failed:
        return False
    job = Job.objects.get(id=job_id)
    logger.error("Job %s (%s, owner %s) failed: %s", job.id, job.kind, job.owner_id, error)
    events.publish(job_event(EventKind.JOB_PROGRESS, job))
    notify(
        user_id=job.owner_id,
        kind=NotificationKind.JOB_FINISHED,
        message=f"Job “{job.title}” failed: {error[:200]}",
        data={"job_id": job.id, "status": job.status},
    )
    return True


def run_process_job(*, job_id: int) -> None:
    """Brief 002's `process` job: simulated work of JOB_PROCESS_SECONDS, reported in steps.

    With JOB_PROCESS_FAILURE_RATE above zero, an attempt fails halfway with a TransientError,
    which the worker retries like any other transient failure.
    """
    job = start_job(job_id=job_id)
    if job is None:
        return
    low, high = settings.JOB_PROCESS_SECONDS
    seconds = random.uniform(low, high)  # noqa: S311 - a simulated duration, not a secret
    for step in range(1, PROGRESS_STEPS):
        time.sleep(seconds / PROGRESS_STEPS)
        if step == PROGRESS_STEPS // 2 and random.random() < settings.JOB_PROCESS_FAILURE_RATE:  # noqa: S311
            raise TransientError(f"Simulated failure halfway through job {job_id}")
        if not report_progress(job=job, progress=step * 100 // PROGRESS_STEPS):
            return
    time.sleep(seconds / PROGRESS_STEPS)
    complete_job(
        job=job,
        result={
            "message": f"Processed in {seconds:.1f} seconds at {timezone.now().isoformat()}",
            "seconds": round(seconds, 3),
        },
    )


@transaction.atomic
def delete_job(*, actor, job_id: int) -> None:
    """Delete a job, its file too: its owner or staff; Job.DoesNotExist for anyone else.

    A job still PENDING or PROCESSING is cancelled: its worker finds it gone at its next step
    (`start_job`, `report_progress`, `complete_job` all expect the row) and stops quietly;
    those following it live hear that it is gone.
    """
    job = Job.objects.visible_to(actor).select_for_update().get(id=job_id)
    if job.file:
        storage, name = job.file.storage, job.file.name
        # Once the row is surely gone: a rolled-back deletion keeps a job whose file is there.
        transaction.on_commit(lambda: storage.delete(name))
    events.publish(job_event(EventKind.JOB_DELETED, job))
    job.delete()


def delete_finished_jobs(*, now=None) -> int:
    """Delete jobs finished more than JOB_RETENTION_DAYS ago, with their files; how many went.

    Sent e-mail records older than that go too: their keys only guard against retries.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.JOB_RETENTION_DAYS)
    old_jobs = Job.objects.finished().filter(finished_at__lt=cutoff)
    for job in old_jobs.exclude(file="").only("id", "file"):
        job.file.delete(save=False)
    deleted, _ = old_jobs.delete()
    EmailDelivery.objects.filter(sent_at__lt=cutoff).delete()
    delete_orphaned_files(now=now)
    return deleted


# An export names its file on its job's row just after creating it: younger files may be one.
ORPHAN_MIN_AGE = timedelta(hours=1)


def delete_orphaned_files(*, now=None) -> list[str]:
    """Delete job files that no job names any more, older than ORPHAN_MIN_AGE; their names.

    Jobs can go without their files: with their owner's account (a cascade), or many at once
    in the admin, where no `delete_job` runs.
    """
    storage = Job._meta.get_field("file").storage
    oldest = (now or timezone.now()) - ORPHAN_MIN_AGE
    named = set(Job.objects.exclude(file="").values_list("file", flat=True))
    deleted = []
    for name in _stored_files(storage, "jobs"):
        if name not in named and storage.get_modified_time(name) < oldest:
            storage.delete(name)
            deleted.append(name)
    return deleted


def _stored_files(storage, folder: str):
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}"
    for child in folders:
        yield from _stored_files(storage, f"{folder}/{child}")
