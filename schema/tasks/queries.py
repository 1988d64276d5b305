from typing import Annotated

import strawberry
import strawberry_django

from backend.tasks import selectors
from schema.adapters import CountedConnection
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

Filters = Annotated[
    TaskFilter | None, strawberry.argument(description="Which tasks; all you see when omitted.")
]
Order = Annotated[
    list[TaskOrder] | None,
    strawberry.argument(description="Sort keys, first key first; newest first when omitted."),
]


@strawberry.type(
    name="TaskConnection",
    description="A page of tasks as a Relay cursor connection: `edges`, "
    "`pageInfo` to ask for the next page, `totalCount` across all pages.",
)
class TaskConnection(CountedConnection[TaskType]):
    pass


@strawberry.type
class TaskQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Tasks you may see (you created them, are assigned them, or are in their "
        "project; staff see all), filtered, ordered (newest first by default) and paginated. "
        "UNAUTHENTICATED without a token; BAD_USER_INPUT for a `pagination` out of bounds.",
    )
    def tasks(
        self,
        info: strawberry.Info,
        filters: Filters = None,
        order: Order = None,
        pagination: Annotated[
            OffsetPaginationInput | None,
            strawberry.argument(description="Which page; the first 20 when omitted."),
        ] = NO_PAGINATION,
    ) -> OffsetPaginated[TaskType]:
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
        TaskConnection,
        permission_classes=[IsAuthenticated],
        extensions=[ValidCursors()],
        description="The same tasks as `tasks`, as a Relay cursor connection for infinite "
        "scrolling (Apollo's `relayStylePagination`). UNAUTHENTICATED without a token; "
        "BAD_USER_INPUT for a `first` or `last` over 100 or a cursor the list never gave.",
    )
    def task_connection(
        self, info: strawberry.Info, filters: Filters = None, order: Order = None
    ) -> list[TaskType]:
        criteria = task_criteria(info, filters)
        if criteria is None:
            return selectors.no_tasks()
        return selectors.task_list(user=user_of(info), ordering=ordering_keys(order), **criteria)

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description="One task, or null when it does not exist, you may not see it or the id is "
        "not one. UNAUTHENTICATED without a token.",
    )
    def task(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The task's id.")],
    ) -> TaskType | None:
        task_id = parse_id(id)
        if task_id is None:
            return None
        # A QuerySet, not an instance, so that the optimizer plans the nested fields.
        return selectors.task_list(user=user_of(info)).filter(id=task_id)
