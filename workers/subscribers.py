"""Domain events that call for Celery tasks: written to the outbox in the transaction of the
change (an `in_transaction` subscriber), published once it commits (workers/outbox.py)."""

from backend.events import DomainEvent, EventKind
from workers.emails import send_task_assigned_email
from workers.jobs import enqueue_job
from workers.outbox import enqueue


def enqueue_background_work(event: DomainEvent) -> None:
    if event.kind == EventKind.TASK_ASSIGNED:
        assignee_id = event.data["assignee_id"]
        # Whoever assigns a task to themselves needs no e-mail about it.
        if assignee_id is not None and assignee_id != event.actor_id:
            enqueue(
                send_task_assigned_email.name,
                task_id=event.task_id,
                assignee_id=assignee_id,
                actor_id=event.actor_id,
                version=event.data["version"],
            )
    elif event.kind == EventKind.JOB_SUBMITTED:
        enqueue_job(
            job_id=event.data["job_id"],
            kind=event.data["kind"],
            celery_task_id=event.data["celery_task_id"],
        )
