"""Reads on the notification inbox: a user only ever sees their own."""

from datetime import datetime

from django.db.models import QuerySet

from backend.notifications.models import Notification


def notification_list(
    *, user, unread_only: bool = False, since: datetime | None = None
) -> QuerySet:
    """The user's notifications, newest first; `since` returns those created after it, which
    is how a client that reconnects catches up on what it missed."""
    if not user.is_authenticated:
        return Notification.objects.none()
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.unread()
    if since is not None:
        notifications = notifications.filter(created_at__gt=since)
    return notifications.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(user=user).unread().count()
