from datetime import datetime

import strawberry
import strawberry_django
from django.db.models import QuerySet

from backend.notifications import selectors
from schema.core import user_of
from schema.notifications.types import NotificationType
from schema.pagination import OffsetPaginated
from schema.permissions import IsAuthenticated


@strawberry.type
class NotificationQueries:
    @strawberry_django.offset_paginated(
        OffsetPaginated[NotificationType], permission_classes=[IsAuthenticated]
    )
    def notifications(
        self, info: strawberry.Info, unread_only: bool = False, since: datetime | None = None
    ) -> QuerySet:
        """Your notifications, newest first. After a reconnect, `since` (the `createdAt` of the
        newest one you have) returns what you missed."""
        return selectors.notification_list(user=user_of(info), unread_only=unread_only, since=since)

    @strawberry.field(permission_classes=[IsAuthenticated])
    def unread_notification_count(self, info: strawberry.Info) -> int:
        """How many of your notifications are unread."""
        return selectors.unread_count(user=user_of(info))
