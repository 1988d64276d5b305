import asyncio
from collections.abc import AsyncGenerator

import strawberry

from backend.realtime.streams import received_notification_ids
from schema.core import user_of
from schema.dataloaders import for_viewer
from schema.notifications.types import NotificationType
from schema.permissions import IsAuthenticated


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="Each new notification of yours, as it is created; over WebSocket. Refused "
        "only as any subscription is (RATE_LIMITED). Query `notifications(since:)` after a "
        "reconnect for those created meanwhile.",
    )
    async def notification_received(
        self, info: strawberry.Info
    ) -> AsyncGenerator[NotificationType, None]:
        notifications = for_viewer(info).notifications
        async for notification_id in received_notification_ids(
            consumer=info.context.ws, user=user_of(info)
        ):
            notification = await asyncio.shield(notifications.load(notification_id))
            if notification is not None:
                yield notification
