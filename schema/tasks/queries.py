import strawberry
import strawberry_django
from strawberry_django.relay import DjangoListConnection

from backend.core import graphql_cache
from backend.tasks import selectors
from schema.core import parse_id, user_of
from schema.counting import OffsetPaginated
from schema.ordering import ordering_keys
from schema.pagination import NO_PAGINATION, OffsetPaginationInput, planned_page
from schema.permissions import IsAuthenticated
from schema.tasks.inputs import TaskFilter, TaskOrder
from schema.tasks.types import TaskType


def _visible_tasks(info, filters: TaskFilter | None, order: list[TaskOrder] | None):
    """How to build the tasks the arguments select for a viewer (see `planned_page`), and
    whether that list changes with the clock alone."""
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
                    return lambda viewer: selectors.task_list(user=viewer).none(), False
    with_the_clock = selectors.changes_with_the_clock(criteria)
    policy = graphql_cache.policy_of(info.context.request)
    if policy is not None and with_the_clock:
        policy.uncacheable = True
    ordering = ordering_keys(order)
    return (
        lambda viewer: selectors.task_list(user=viewer, ordering=ordering, **criteria),
        with_the_clock,
    )


@strawberry.type
class TaskQueries:
    @strawberry.field(permission_classes=[IsAuthenticated])
    def tasks(
        self,
        info: strawberry.Info,
        filters: TaskFilter | None = None,
        order: list[TaskOrder] | None = None,
        pagination: OffsetPaginationInput | None = NO_PAGINATION,
    ) -> OffsetPaginated[TaskType]:
        """Tasks you may see, filtered, ordered (newest first by default) and paginated."""
        build, with_the_clock = _visible_tasks(info, filters, order)
        return planned_page(
            build, info=info, pagination=pagination, repeatable_sql=not with_the_clock
        )

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
        build, _ = _visible_tasks(info, filters, order)
        return build(user_of(info))

    @strawberry_django.field(permission_classes=[IsAuthenticated])
    def task(self, info: strawberry.Info, id: strawberry.ID) -> TaskType | None:
        """One task, or null when it does not exist or you may not see it."""
        task_id = parse_id(id)
        if task_id is None:
            return None
        # A QuerySet, not an instance, so that the optimizer plans the nested fields.
        return selectors.task_list(user=user_of(info)).filter(id=task_id)
