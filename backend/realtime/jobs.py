"""Job progress, live: the after-commit broadcast to a job's group, and the stream a
`jobProgress` subscription reads from it."""

from collections.abc import Awaitable, Callable

from backend.events import DomainEvent, EventKind
from backend.jobs.models import FINISHED_STATUSES, Job, JobStatus
from backend.realtime.broadcast import broadcast_many
from backend.realtime.groups import user_group
from backend.realtime.listening import listen

JOB_PROGRESS = "job.progress"
NO_SUCH_JOB = "No such job."


def job_group(job_id: int) -> str:
    """The sockets following one job; only those who may see the job join it."""
    return f"job.{job_id}"


def broadcast_job_progress(event: DomainEvent) -> None:
    if event.kind in (EventKind.JOB_PROGRESS, EventKind.JOB_DELETED):
        deleted = event.kind == EventKind.JOB_DELETED
        # To the job's followers (jobProgress) and to its owner's plain sockets.
        groups = [job_group(event.data["job_id"]), user_group(event.data["owner_id"])]
        broadcast_many(groups, {"type": JOB_PROGRESS, **event.data, "deleted": deleted})


async def job_updates(*, consumer, job_id: int, load: Callable[[], Awaitable[Job | None]]):
    """The job's state now and at each change, until it finishes or is deleted.

    `load` reads the job as the subscriber may see it, None when they may not (or it is gone);
    Job.DoesNotExist is raised, before anything is streamed, when it reads None at first.
    """
    if await load() is None:
        raise Job.DoesNotExist(NO_SUCH_JOB)
    return _job_updates(consumer, job_id, load)


async def _job_updates(consumer, job_id: int, load: Callable[[], Awaitable[Job | None]]):
    # Joined before the first read, so that no change falls between the read and the join.
    async with listen(consumer, types=[JOB_PROGRESS], groups=[job_group(job_id)]) as inbox:
        job = await load()
        if job is None:
            return
        yield job
        shown = _position(job.attempts, job.status, job.progress)
        while not job.is_finished:
            message = await anext(inbox)
            if message["deleted"]:
                return
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
