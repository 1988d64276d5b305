from datetime import datetime
from enum import Enum

import strawberry

from backend.tasks import selectors
from schema import response_cache
from schema.core import parse_id
from schema.ordering import SortDirection
from schema.tasks.types import TaskPriorityEnum, TaskStatusEnum


@strawberry.input(name="TaskInput")
class TaskInput:
    title: str = strawberry.field(description="At most 255 characters.")
    description: str = strawberry.field(default="", description="At most 10,000 characters.")
    status: TaskStatusEnum = TaskStatusEnum.PENDING
    priority: TaskPriorityEnum = TaskPriorityEnum.MEDIUM
    due_date: datetime | None = None
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="The project to create the task in; none for a personal task."
    )
    assignee_id: strawberry.ID | None = None


@strawberry.input(name="TaskPartialInput")
class TaskPartialInput:
    """Only the fields given change."""

    id: strawberry.ID
    version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read, to refuse overwriting a change made since (a "
        "conflict); when omitted, the update applies to the task as it stands.",
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 255 characters."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 10,000 characters; null clears it."
    )
    status: TaskStatusEnum | None = strawberry.UNSET
    priority: TaskPriorityEnum | None = strawberry.UNSET
    due_date: datetime | None = strawberry.UNSET
    project_id: strawberry.ID | None = strawberry.UNSET
    assignee_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input(name="TaskFilter")
class TaskFilter:
    status: list[TaskStatusEnum] | None = None
    priority: list[TaskPriorityEnum] | None = None
    due_after: datetime | None = strawberry.field(default=None, description="Due at or after.")
    due_before: datetime | None = strawberry.field(default=None, description="Due at or before.")
    assignee: strawberry.ID | None = None
    project: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None, description="Words to find in the title or description."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="true: only overdue tasks; false: none of them."
    )


@strawberry.enum(name="TaskOrderField")
class TaskOrderField(Enum):
    DUE_DATE = "due_date"
    PRIORITY = "priority"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"
    STATUS = "status"


@strawberry.input(name="TaskOrder")
class TaskOrder:
    field: TaskOrderField
    direction: SortDirection = SortDirection.ASC


def task_criteria(info, filters: TaskFilter | None) -> dict | None:
    """The task selectors' criteria for `filters` (lists, reports, exports); None when they
    can match nothing."""
    if filters is None:
        return {}
    criteria = {
        "status": filters.status,
        "priority": filters.priority,
        "due_after": filters.due_after,
        "due_before": filters.due_before,
        "search": filters.search,
        "overdue": filters.overdue,
    }
    for name, value in (("assignee_id", filters.assignee), ("project_id", filters.project)):
        if value is not None:
            criteria[name] = parse_id(value)
            if criteria[name] is None:
                # An id that cannot exist matches nothing, as an unknown id would.
                return None
    policy = response_cache.policy_of(info.context.request)
    if policy is not None and selectors.changes_with_the_clock(criteria):
        policy.uncacheable = True
    return criteria
