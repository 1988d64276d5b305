import strawberry
import strawberry_django
from strawberry import auto
from strawberry.scalars import JSON

from backend.notifications.models import Notification, NotificationKind
from schema.adapters import model_type

NotificationKindEnum = strawberry.enum(
    NotificationKind, name="NotificationKind", description="Why you are told."
)


@model_type(Notification, name="Notification")
class NotificationType:
    """An item of your inbox. Query the task by `taskId`: it may be gone, or no longer yours."""

    id: auto
    kind: NotificationKindEnum
    message: auto
    task_id: strawberry.ID | None
    data: JSON
    created_at: auto
    read_at: auto

    @strawberry_django.field(only=["read_at"])
    def is_read(self, root: Notification) -> bool:
        """Whether you marked it read."""
        return root.is_read


@strawberry.type(name="NotificationsRead")
class NotificationsReadType:
    marked: int = strawberry.field(description="How many notifications this marked read.")
    unread_count: int = strawberry.field(description="How many remain unread.")
