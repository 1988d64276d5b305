"""The domain-event subscriber that tells open sockets what happened.

Each message carries what every socket needs to decide and to show without asking the
database again: the `audience` (the users who may see the task now; staff see everything) and
a JSON snapshot for the plain sockets. GraphQL subscriptions load the task once per process.
"""

from uuid import uuid4

from backend.accounts.models import User
from backend.events import TASK_EVENTS, DomainEvent, EventKind
from backend.notifications.models import Notification
from backend.realtime.broadcast import broadcast, broadcast_many
from backend.realtime.groups import (
    MEMBERSHIP_CHANGED,
    NOTIFICATION_CREATED,
    STAFF_GROUP,
    TASK_CHANGED,
    project_group,
    user_group,
)
from backend.tasks.models import Task, task_audience


def broadcast_event(event: DomainEvent) -> None:
    if event.kind in TASK_EVENTS:
        _broadcast_task_change(event)
    elif event.kind == EventKind.NOTIFICATION_CREATED:
        _broadcast_notification(event)
    elif event.kind in (EventKind.MEMBER_ADDED, EventKind.MEMBER_REMOVED):
        _broadcast_membership(
            event, [event.data["user_id"]], member=event.kind == EventKind.MEMBER_ADDED
        )
    elif event.kind == EventKind.PROJECT_DELETED:
        _broadcast_membership(event, event.data["member_ids"], member=False)


def _broadcast_task_change(event: DomainEvent) -> None:
    if event.kind == EventKind.TASK_DELETED:
        project_id = event.project_id
        created_by_id, assignee_id = event.data["created_by_id"], event.data["assignee_id"]
        snapshot = {"id": event.task_id, "title": event.data["title"], "project_id": project_id}
    else:
        task = Task.objects.filter(id=event.task_id).first()
        if task is None:
            return  # deleted since; its own event follows
        project_id, created_by_id, assignee_id = (
            task.project_id,
            task.created_by_id,
            task.assignee_id,
        )
        snapshot = task_snapshot(task)
    audience, members = task_audience(
        project_id=project_id, created_by_id=created_by_id, assignee_id=assignee_id
    )
    # Viewers outside the project hear through their own group; staff through theirs.
    outsiders = User.objects.filter(id__in=audience - members, is_staff=False)
    groups = [user_group(user_id) for user_id in outsiders.values_list("id", flat=True)]
    if members:
        groups.append(project_group(project_id))
    groups.append(STAFF_GROUP)
    broadcast_many(
        groups,
        {
            "type": TASK_CHANGED,
            "event_id": uuid4().hex,
            "kind": str(event.kind),
            "task_id": event.task_id,
            "project_id": project_id,
            "assignee_id": assignee_id,
            "actor": _user_snapshot(event.actor_id),
            "audience": sorted(audience),  # sorted: each socket looks itself up by bisection
            "task": snapshot,
        },
    )


def _broadcast_notification(event: DomainEvent) -> None:
    notification = Notification.objects.filter(id=event.data["notification_id"]).first()
    if notification is None:
        return
    broadcast(
        user_group(notification.user_id),
        {"type": NOTIFICATION_CREATED, "notification": notification_snapshot(notification)},
    )


def _broadcast_membership(event: DomainEvent, user_ids, *, member: bool) -> None:
    for user_id in user_ids:
        broadcast(
            user_group(user_id),
            {
                "type": MEMBERSHIP_CHANGED,
                "kind": str(event.kind),
                "project_id": event.project_id,
                "user_id": user_id,
                "member": member,
            },
        )


def _iso(value):
    return value.isoformat() if value is not None else None


def task_snapshot(task: Task) -> dict:
    return {
        "id": task.id,
        "title": task.title,
        "description": task.description,
        "status": task.status,
        "priority": task.priority,
        "due_date": _iso(task.due_date),
        "project_id": task.project_id,
        "created_by_id": task.created_by_id,
        "assignee_id": task.assignee_id,
        "created_at": _iso(task.created_at),
        "updated_at": _iso(task.updated_at),
        "completed_at": _iso(task.completed_at),
        "version": task.version,
    }


def notification_snapshot(notification: Notification) -> dict:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "message": notification.message,
        "task_id": notification.task_id,
        "data": notification.data,
        "created_at": _iso(notification.created_at),
        "read_at": _iso(notification.read_at),
    }


def _user_snapshot(user_id: int | None) -> dict | None:
    if user_id is None:
        return None
    return User.objects.filter(id=user_id).values("id", "username").first()
