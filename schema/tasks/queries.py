import strawberry
import strawberry_django
from strawberry_django.relay import DjangoListConnection

from backend.tasks import selectors
from schema.core import parse_id, user_of
from schema.ordering import ordering_keys
from schema.pagination import (
    NO_PAGINATION,
    OffsetPaginated,
    OffsetPaginationInput,
    ValidCursors,
    offset_page,
)
from schema.permissions import IsAuthenticated
from schema.tasks.inputs import TaskFilter, TaskOrder, task_criteria
from schema.tasks.types import TaskType


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
        user, criteria = user_of(info), task_criteria(info, filters)
        if criteria is None:
            return offset_page(selectors.no_tasks(), info=info, pagination=pagination)
        return offset_page(
            selectors.task_list(user=user, ordering=ordering_keys(order), **criteria),
            info=info,
            pagination=pagination,
            count=lambda: selectors.count_tasks(user=user, **criteria),
        )

    @strawberry_django.connection(
        DjangoListConnection[TaskType],
        permission_classes=[IsAuthenticated],
        extensions=[ValidCursors()],
    )
    def task_connection(
        self,
        info: strawberry.Info,
        filters: TaskFilter | None = None,
        order: list[TaskOrder] | None = None,
    ) -> list[TaskType]:
        """The same tasks as a Relay cursor connection, for infinite scrolling."""
        criteria = task_criteria(info, filters)
        if criteria is None:
            return selectors.no_tasks()
        return selectors.task_list(user=user_of(info), ordering=ordering_keys(order), **criteria)

    @strawberry_django.field(permission_classes=[IsAuthenticated])
    def task(self, info: strawberry.Info, id: strawberry.ID) -> TaskType | None:
        """One task, or null when it does not exist or you may not see it."""
        task_id = parse_id(id)
        if task_id is None:
            return None
        # A QuerySet, not an instance, so that the optimizer plans the nested fields.
        return selectors.task_list(user=user_of(info)).filter(id=task_id)
