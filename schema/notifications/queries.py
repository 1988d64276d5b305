from datetime import datetime

import strawberry

from backend.notifications import selectors
from schema.core import user_of
from schema.notifications.types import NotificationType
from schema.pagination import NO_PAGINATION, OffsetPaginated, OffsetPaginationInput, offset_page
from schema.permissions import IsAuthenticated


@strawberry.type
class NotificationQueries:
    @strawberry.field(permission_classes=[IsAuthenticated])
    def notifications(
        self,
        info: strawberry.Info,
        unread_only: bool = False,
        since: datetime | None = None,
        pagination: OffsetPaginationInput | None = NO_PAGINATION,
    ) -> OffsetPaginated[NotificationType]:
        """Your notifications, newest first. After a reconnect, `since` (the `createdAt` of the
        newest one you have) returns what you missed."""
        notifications = selectors.notification_list(
            user=user_of(info), unread_only=unread_only, since=since
        )
        return offset_page(notifications, info=info, pagination=pagination)

    @strawberry.field(permission_classes=[IsAuthenticated])
    def unread_notification_count(self, info: strawberry.Info) -> int:
        """How many of your notifications are unread."""
        return selectors.unread_count(user=user_of(info))
