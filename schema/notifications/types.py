import strawberry
import strawberry_django
from strawberry import auto
from strawberry.scalars import JSON

from backend.notifications.models import Notification, NotificationKind
from schema.adapters import describe_values, model_type

NotificationKindEnum = strawberry.enum(
    NotificationKind, name="NotificationKind", description="Why you are told."
)
describe_values(
    NotificationKindEnum,
    ASSIGNED="Someone else assigned a task to you (`data`: `actor_id`).",
    COMMENTED="Someone else commented on a task you created or are assigned (`data`: "
    "`actor_id`, `comment_id`).",
    DUE_SOON="A task assigned to you (or created by you, when nobody is) is due within a day "
    "(`data`: `due_date`).",
    REPORT_READY="A report you asked for is ready.",
    JOB_FINISHED="A job of yours completed or failed (`data`: `job_id`, `status`).",
    SUMMARY_READY="The daily summary of one of your projects is ready (`data`: `project_id`, "
    "`summary_id`, `day`).",
)


@model_type(
    Notification,
    name="Notification",
    description="An item of your inbox, kept so that a client that was offline can catch up. "
    "Query the task by `taskId`: it may be gone, or no longer yours.",
)
class NotificationType:
    id: auto = strawberry.field(description="The notification's id.")
    kind: NotificationKindEnum = strawberry.field(description="Why you are told.")
    message: auto = strawberry.field(description="What to show, up to 500 characters.")
    task_id: strawberry.ID | None = strawberry.field(
        description="The task it is about; null when none, or once the task is deleted."
    )
    data: JSON = strawberry.field(
        description="Details that depend on `kind` (see NotificationKind), as a JSON object with "
        "snake_case keys; maybe empty."
    )
    created_at: auto = strawberry.field(description="When it was created.")
    read_at: auto = strawberry.field(description="When you marked it read; null while unread.")

    @strawberry_django.field(only=["read_at"], description="Whether you marked it read.")
    def is_read(self, root: Notification) -> bool:
        return root.is_read


@strawberry.type(name="NotificationsRead", description="The answer of `markNotificationsRead`.")
class NotificationsReadType:
    marked: int = strawberry.field(description="How many notifications this marked read.")
    unread_count: int = strawberry.field(description="How many remain unread.")
