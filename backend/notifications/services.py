"""Writes on the notification inbox. `notify` is how every part of Stride tells a user something."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from backend import events
from backend.events import DomainEvent, EventKind
from backend.notifications.models import Notification

MESSAGE_LENGTH = Notification._meta.get_field("message").max_length


@transaction.atomic
def notify(
    *,
    user_id: int,
    kind: str,
    message: str,
    task_id: int | None = None,
    data: dict | None = None,
) -> Notification:
    """Put an item in the user's inbox; their open sockets receive it once this commits."""
    notification = Notification(
        user_id=user_id,
        kind=kind,
        # A message is for display: a long one (an error from a job) is shortened, not refused.
        message=Truncator(message).chars(MESSAGE_LENGTH),
        task_id=task_id,
        data=data or {},
    )
    notification.full_clean()
    notification.save()
    events.publish(
        DomainEvent(
            kind=EventKind.NOTIFICATION_CREATED,
            actor_id=None,
            task_id=task_id,
            data={"notification_id": notification.id, "user_id": user_id},
        )
    )
    return notification


@transaction.atomic
def mark_notifications_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (only `ids` when given); returns how many.

    Ids of other users' notifications are ignored, as unknown ids are: nothing is leaked.
    """
    unread = Notification.objects.filter(user=user).unread()
    if ids is not None:
        unread = unread.filter(id__in=ids)
    return unread.update(read_at=timezone.now())
