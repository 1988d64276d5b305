import strawberry
import strawberry_django
from strawberry import auto

from backend.tasks.models import Activity, ActivityVerb, Comment, Task, TaskPriority, TaskStatus
from backend.tasks.selectors import COMMENT_COUNT
from schema import response_cache
from schema.accounts.types import UserType
from schema.adapters import ModelAttributeField, describe_values, model_type
from schema.projects.types import ProjectType

TaskStatusEnum = strawberry.enum(TaskStatus, name="TaskStatus", description="Where a task stands.")
describe_values(
    TaskStatusEnum,
    PENDING="Not started yet (a new task's status unless another is given).",
    IN_PROGRESS="Someone is working on it.",
    COMPLETED="Done: `completedAt` is set, and the task is never overdue.",
)
TaskPriorityEnum = strawberry.enum(
    TaskPriority, name="TaskPriority", description="How urgent a task is, least to most."
)
describe_values(
    TaskPriorityEnum,
    LOW="Can wait.",
    MEDIUM="The usual priority (a new task's unless another is given).",
    HIGH="Before the usual work.",
    URGENT="Before anything else.",
)
ActivityVerbEnum = strawberry.enum(ActivityVerb, name="ActivityVerb")
describe_values(
    ActivityVerbEnum,
    "What an `Activity` entry records.",
    CREATED="The task was created.",
    UPDATED="A field changed: `field`, `oldValue` and `newValue` say which and how.",
    ASSIGNED="The assignee changed (`field` is `assignee`; the values are usernames, empty for "
    "nobody).",
    COMMENTED="Someone commented on the task.",
)


@model_type(Comment, name="Comment", description="A remark on a task, by someone who sees it.")
class CommentType:
    id: auto = strawberry.field(description="The comment's id.")
    content: auto = strawberry.field(description="The text, as written (trimmed).")
    author: UserType = strawberry.field(description="Who wrote it.")
    created_at: auto = strawberry.field(description="When it was written.")


@model_type(
    Activity,
    name="Activity",
    description="One entry of a task's append-only history: who changed which field from what "
    "to what.",
)
class ActivityType:
    id: auto = strawberry.field(description="The entry's id.")
    actor: UserType | None = strawberry.field(
        description="Who did it; null once that account is deleted."
    )
    verb: ActivityVerbEnum = strawberry.field(description="What happened.")
    field: auto = strawberry.field(
        description="The field that changed (`title`, `status`, `dueDate` as `due_date`, "
        "`project`, `assignee`, ...); empty for CREATED and COMMENTED."
    )
    old_value: auto = strawberry.field(
        description="The value before, as text: a status or priority as stored (`in_progress`), "
        "a date in ISO 8601, a user by username, a project by name; empty for none."
    )
    new_value: auto = strawberry.field(
        description="The value after, in the same form as `oldValue`; empty for none."
    )
    created_at: auto = strawberry.field(description="When it happened.")


@model_type(
    Task,
    name="Task",
    description="A unit of work, personal or in a project. Its creator, its assignee, the "
    "members of its project and staff see it. Send `version` back with `updateTask` so that "
    "nobody's change is lost.",
)
class TaskType:
    id: auto = strawberry.field(description="The task's id.")
    title: auto = strawberry.field(description="A short name, 1 to 255 characters.")
    description: auto = strawberry.field(description="Details; empty when there are none.")
    status: TaskStatusEnum = strawberry.field(description="Where the task stands.")
    priority: TaskPriorityEnum = strawberry.field(description="How urgent it is.")
    due_date: auto = strawberry.field(description="When it is due; null when it has no due date.")
    created_at: auto = strawberry.field(description="When it was created.")
    updated_at: auto = strawberry.field(description="When it last changed.")
    completed_at: auto = strawberry.field(
        description="When it was completed; null while its status is not COMPLETED."
    )
    version: auto = strawberry.field(
        description="1 at creation, one more with every change that changes something; send it "
        "with `updateTask` to refuse overwriting a change made since you read it."
    )
    project: ProjectType | None = strawberry.field(
        description="The project it belongs to; null for a personal task."
    )
    created_by: UserType = strawberry.field(description="Who created it.")
    assignee: UserType | None = strawberry.field(
        description="Who should do it; null when nobody is assigned."
    )
    comments: list[CommentType] = strawberry.field(description="Its comments, oldest first.")
    activity: list[ActivityType] = strawberry.field(description="Its history, oldest first.")

    comment_count: int = strawberry_django.field(
        annotate={"comment_count": COMMENT_COUNT},
        field_cls=ModelAttributeField,
        description="How many comments the task has.",
    )

    @strawberry_django.field(
        only=["due_date", "status"], description="Due in the past and not completed."
    )
    def is_overdue(self, root: Task, info: strawberry.Info) -> bool:
        policy = response_cache.policy_of(getattr(info.context, "request", None))
        turns_at = root.turns_overdue_at
        if policy is not None and turns_at is not None:
            # A cached response must not outlive the answer.
            policy.expire_no_later_than(turns_at)
        return root.is_overdue
