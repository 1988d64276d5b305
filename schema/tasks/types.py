import strawberry
import strawberry_django
from strawberry import auto

from backend.tasks.models import Activity, ActivityVerb, Comment, Task, TaskPriority, TaskStatus
from backend.tasks.selectors import COMMENT_COUNT
from schema import response_cache
from schema.accounts.types import UserType
from schema.adapters import ModelAttributeField, model_type
from schema.projects.types import ProjectType

TaskStatusEnum = strawberry.enum(TaskStatus, name="TaskStatus", description="Where a task stands.")
TaskPriorityEnum = strawberry.enum(
    TaskPriority, name="TaskPriority", description="How urgent a task is, least to most."
)
ActivityVerbEnum = strawberry.enum(ActivityVerb, name="ActivityVerb")


@model_type(Comment, name="Comment")
class CommentType:
    """A remark on a task."""

    id: auto
    content: auto
    author: UserType
    created_at: auto


@model_type(Activity, name="Activity")
class ActivityType:
    """One entry of a task's history: who changed which field from what to what."""

    id: auto
    actor: UserType | None
    verb: ActivityVerbEnum
    field: auto
    old_value: auto
    new_value: auto
    created_at: auto


@model_type(Task, name="Task")
class TaskType:
    """A unit of work. Send `version` back with `updateTask` so nobody's change is lost."""

    id: auto
    title: auto
    description: auto
    status: TaskStatusEnum
    priority: TaskPriorityEnum
    due_date: auto
    created_at: auto
    updated_at: auto
    completed_at: auto
    version: auto
    project: ProjectType | None
    created_by: UserType
    assignee: UserType | None
    comments: list[CommentType]
    activity: list[ActivityType]

    comment_count: int = strawberry_django.field(
        annotate={"comment_count": COMMENT_COUNT},
        field_cls=ModelAttributeField,
        description="How many comments the task has.",
    )

    @strawberry_django.field(only=["due_date", "status"])
    def is_overdue(self, root: Task, info: strawberry.Info) -> bool:
        """Due in the past and not completed."""
        policy = response_cache.policy_of(getattr(info.context, "request", None))
        turns_at = root.turns_overdue_at
        if policy is not None and turns_at is not None:
            # A cached response must not outlive the answer.
            policy.expire_no_later_than(turns_at)
        return root.is_overdue
