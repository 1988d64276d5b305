from datetime import datetime
from typing import Annotated

import strawberry

from backend.notifications import selectors
from schema.core import user_of
from schema.notifications.types import NotificationType
from schema.pagination import NO_PAGINATION, OffsetPaginated, OffsetPaginationInput, offset_page
from schema.permissions import IsAuthenticated


@strawberry.type
class NotificationQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Your notifications, newest first. After a reconnect, `since` (the "
        "`createdAt` of the newest one you have) returns what you missed. UNAUTHENTICATED "
        "without a token; BAD_USER_INPUT for a `pagination` out of bounds.",
    )
    def notifications(
        self,
        info: strawberry.Info,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only those not marked read.")
        ] = False,
        since: Annotated[
            datetime | None,
            strawberry.argument(description="Only those created after this instant."),
        ] = None,
        pagination: Annotated[
            OffsetPaginationInput | None,
            strawberry.argument(description="Which page; the first 20 when omitted."),
        ] = NO_PAGINATION,
    ) -> OffsetPaginated[NotificationType]:
        notifications = selectors.notification_list(
            user=user_of(info), unread_only=unread_only, since=since
        )
        return offset_page(notifications, info=info, pagination=pagination)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="How many of your notifications are unread. UNAUTHENTICATED without a token.",
    )
    def unread_notification_count(self, info: strawberry.Info) -> int:
        return selectors.unread_count(user=user_of(info))
