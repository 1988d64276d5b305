"""Job progress, live: the after-commit broadcast to a job's group, and the stream a
`jobProgress` subscription reads from it (on the realtime layer's groups and listeners)."""

from channels.db import database_sync_to_async

from backend.events import DomainEvent, EventKind
from backend.jobs.models import FINISHED_STATUSES, Job, JobStatus
from backend.realtime.broadcast import broadcast
from backend.realtime.listening import listen

JOB_PROGRESS = "job.progress"
NO_SUCH_JOB = "No such job."


def job_group(job_id: int) -> str:
    """The sockets following one job; only those who may see the job join it."""
    return f"job.{job_id}"


def broadcast_job_progress(event: DomainEvent) -> None:
    if event.kind == EventKind.JOB_PROGRESS:
        broadcast(job_group(event.data["job_id"]), {"type": JOB_PROGRESS, **event.data})


async def job_updates(*, consumer, user, job_id: int):
    """The job's state now and at each change, until it finishes.

    Raises Job.DoesNotExist, before anything is streamed, when the user may not see the job.
    """
    visible = Job.objects.visible_to(user).filter(id=job_id)
    if not await database_sync_to_async(visible.exists)():
        raise Job.DoesNotExist(NO_SUCH_JOB)
    return _job_updates(consumer, job_id)


async def _job_updates(consumer, job_id: int):
    load = database_sync_to_async(Job.objects.select_related("owner").filter(id=job_id).first)
    # Joined before the first read, so that no change falls between the read and the join.
    async with listen(consumer, types=[JOB_PROGRESS], groups=[job_group(job_id)]) as inbox:
        job = await load()
        if job is None:
            return
        yield job
        shown = _position(job.attempts, job.status, job.progress)
        while not job.is_finished:
            message = await anext(inbox)
            position = _position(message["attempts"], message["status"], message["progress"])
            # A message sent before the first read announces a state already shown.
            if position <= shown:
                continue
            shown = position
            if message["status"] in FINISHED_STATUSES:
                job = await load()  # for the result or the error
                if job is None:
                    return
            else:
                job.status, job.progress = message["status"], message["progress"]
                job.attempts = message["attempts"]
            yield job


def _position(attempts, status, progress) -> tuple:
    """Where a job stands, in the order states follow one another (a new attempt restarts)."""
    stage = {JobStatus.PENDING: 0, JobStatus.PROCESSING: 1}.get(status, 2)
    return (attempts, stage, progress)
