"""Domain events: what happened, published by the services, delivered after commit.

Services call `publish()` inside their transaction; subscribers (the realtime fan-out, the
notification inbox) run only once the transaction has committed, so nobody hears of a change
that was rolled back. A failing subscriber is logged and does not stop the others: the change
itself is committed.

A subscriber `in_transaction` (the outbox of background work, workers/subscribers.py) runs at
once, inside the transaction: what it writes commits with the change or not at all, and if it
fails, the change fails.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import transaction

logger = logging.getLogger(__name__)


class EventKind(StrEnum):
    TASK_CREATED = "task.created"
    TASK_UPDATED = "task.updated"
    TASK_ASSIGNED = "task.assigned"
    TASK_DELETED = "task.deleted"
    TASK_COMMENTED = "task.commented"
    # Many tasks created at once by an import: one event per chunk (backend/jobs/ingestion.py).
    TASKS_IMPORTED = "tasks.imported"
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    PROJECT_DELETED = "project.deleted"
    MEMBER_ADDED = "project.member_added"
    MEMBER_REMOVED = "project.member_removed"
    USER_UPDATED = "user.updated"
    NOTIFICATION_CREATED = "notification.created"
    JOB_SUBMITTED = "job.submitted"
    JOB_PROGRESS = "job.progress"
    JOB_DELETED = "job.deleted"


# The kinds that are about one task (`task_id` set): caches, sockets and the inbox follow them.
TASK_EVENTS = frozenset(
    {
        EventKind.TASK_CREATED,
        EventKind.TASK_UPDATED,
        EventKind.TASK_ASSIGNED,
        EventKind.TASK_DELETED,
        EventKind.TASK_COMMENTED,
    }
)


@dataclass(frozen=True)
class DomainEvent:
    """One thing that happened. `data` holds JSON-safe details subscribers need even after
    the object is gone (a deleted task's title and who could see it)."""

    kind: EventKind
    actor_id: int | None
    task_id: int | None = None
    project_id: int | None = None
    data: dict = field(default_factory=dict)


Subscriber = Callable[[DomainEvent], None]
_subscribers: list[Subscriber] = []
_subscribers_in_transaction: list[Subscriber] = []


def subscribe(subscriber: Subscriber, *, in_transaction: bool = False) -> None:
    """Register a subscriber; apps do it in `AppConfig.ready`."""
    subscribers = _subscribers_in_transaction if in_transaction else _subscribers
    if subscriber not in subscribers:
        subscribers.append(subscriber)


def publish(event: DomainEvent) -> None:
    """Hand the event to the `in_transaction` subscribers now, and to the others once the
    current transaction commits."""
    for subscriber in _subscribers_in_transaction:
        subscriber(event)
    transaction.on_commit(lambda: deliver(event), robust=True)


def deliver(event: DomainEvent) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(event)
        except Exception:
            logger.exception("Subscriber %s failed on %s", subscriber.__qualname__, event.kind)


def task_event(kind: EventKind, *, task, actor, **data) -> DomainEvent:
    """An event about a task, carrying who may see it at this moment."""
    return DomainEvent(
        kind=kind,
        actor_id=actor.id if actor else None,
        task_id=task.id,
        project_id=task.project_id,
        data={
            "title": task.title,
            "created_by_id": task.created_by_id,
            "assignee_id": task.assignee_id,
            "version": task.version,
            **data,
        },
    )


def project_event(kind: EventKind, *, project, actor, **data) -> DomainEvent:
    """An event about a project; `member_ids` are who belonged to it at this moment."""
    return DomainEvent(
        kind=kind,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        data={
            "name": project.name,
            "owner_id": project.owner_id,
            "member_ids": list(project.memberships.values_list("user_id", flat=True)),
            **data,
        },
    )
