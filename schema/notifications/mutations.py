import strawberry

from backend.notifications import selectors, services
from schema.core import decode_id, mutation, user_of
from schema.notifications.types import NotificationsReadType


@strawberry.type
class NotificationMutations:
    @mutation()
    def mark_notifications_read(
        self, info: strawberry.Info, ids: list[strawberry.ID] | None = None
    ) -> NotificationsReadType:
        """Mark these notifications read, or all of them when `ids` is omitted."""
        user = user_of(info)
        if ids is not None:
            ids = [decode_id(value, field="ids") for value in ids]
        marked = services.mark_notifications_read(user=user, ids=ids)
        return NotificationsReadType(marked=marked, unread_count=selectors.unread_count(user=user))
