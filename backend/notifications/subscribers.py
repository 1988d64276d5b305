"""Inbox rows for personal events: a task assigned to you, a comment on a task you created or
are assigned. Nobody is notified of their own action."""

from backend.accounts.models import User
from backend.events import DomainEvent, EventKind
from backend.notifications.models import NotificationKind
from backend.notifications.services import notify


def notify_people_concerned(event: DomainEvent) -> None:
    if event.kind == EventKind.TASK_ASSIGNED:
        recipients = {event.data["assignee_id"]}
        kind, verb = NotificationKind.ASSIGNED, "assigned you"
    elif event.kind == EventKind.TASK_COMMENTED:
        recipients = {event.data["created_by_id"], event.data["assignee_id"]}
        kind, verb = NotificationKind.COMMENTED, "commented on"
    else:
        return
    recipients -= {None, event.actor_id}
    if not recipients:
        return
    actor = _name_of(event.actor_id)
    details = {"actor_id": event.actor_id}
    if "comment_id" in event.data:
        details["comment_id"] = event.data["comment_id"]
    for user_id in sorted(recipients):
        notify(
            user_id=user_id,
            kind=kind,
            message=f"{actor} {verb} “{event.data['title']}”",
            task_id=event.task_id,
            data=details,
        )


def _name_of(user_id: int | None) -> str:
    username = User.objects.filter(id=user_id).values_list("username", flat=True).first()
    return username or "Someone"
