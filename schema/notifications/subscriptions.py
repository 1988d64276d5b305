from collections.abc import AsyncGenerator

import strawberry

from backend.realtime.streams import received_notifications
from schema.core import user_of
from schema.notifications.types import NotificationType
from schema.permissions import IsAuthenticated


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(permission_classes=[IsAuthenticated])
    async def notification_received(
        self, info: strawberry.Info
    ) -> AsyncGenerator[NotificationType, None]:
        """Each new notification of yours, as it is created."""
        async for notification in received_notifications(
            consumer=info.context.ws, user=user_of(info)
        ):
            yield notification
