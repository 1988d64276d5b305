import strawberry
import strawberry_django
from django.db.models import QuerySet
from strawberry_django.relay import DjangoListConnection

from backend.core import graphql_cache
from backend.tasks import selectors
from schema.core import parse_id, user_of
from schema.ordering import ordering_keys
from schema.pagination import OffsetPaginated
from schema.permissions import IsAuthenticated
from schema.tasks.inputs import TaskFilter, TaskOrder
from schema.tasks.types import TaskType


def _task_list(info, filters: TaskFilter | None, order: list[TaskOrder] | None) -> QuerySet:
    """The tasks the arguments select, of those the signed-in user may see."""
    user = user_of(info)
    criteria = {}
    if filters is not None:
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
                    return selectors.task_list(user=user).none()
    policy = graphql_cache.policy_of(info.context.request)
    if policy is not None and selectors.changes_with_the_clock(criteria):
        policy.uncacheable = True
    return selectors.task_list(user=user, ordering=ordering_keys(order), **criteria)


@strawberry.type
class TaskQueries:
    @strawberry_django.offset_paginated(
        OffsetPaginated[TaskType], permission_classes=[IsAuthenticated]
    )
    def tasks(
        self,
        info: strawberry.Info,
        filters: TaskFilter | None = None,
        order: list[TaskOrder] | None = None,
    ) -> QuerySet:
        """Tasks you may see, filtered, ordered (newest first by default) and paginated."""
        return _task_list(info, filters, order)

    @strawberry_django.connection(
        DjangoListConnection[TaskType], permission_classes=[IsAuthenticated]
    )
    def task_connection(
        self,
        info: strawberry.Info,
        filters: TaskFilter | None = None,
        order: list[TaskOrder] | None = None,
    ) -> list[TaskType]:
        """The same tasks as a Relay cursor connection, for infinite scrolling."""
        return _task_list(info, filters, order)

    @strawberry_django.field(permission_classes=[IsAuthenticated])
    def task(self, info: strawberry.Info, id: strawberry.ID) -> TaskType | None:
        """One task, or null when it does not exist or you may not see it."""
        task_id = parse_id(id)
        if task_id is None:
            return None
        # A QuerySet, not an instance, so that the optimizer plans the nested fields.
        return selectors.task_list(user=user_of(info)).filter(id=task_id)
