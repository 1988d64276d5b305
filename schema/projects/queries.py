from typing import Annotated

import strawberry
import strawberry_django

from backend.projects import selectors
from schema.core import parse_id, user_of
from schema.ordering import ordering_keys
from schema.pagination import NO_PAGINATION, OffsetPaginated, OffsetPaginationInput, offset_page
from schema.permissions import IsAuthenticated
from schema.projects.inputs import ProjectFilter, ProjectOrder
from schema.projects.types import ProjectType


@strawberry.type
class ProjectQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Projects you own or are a member of (every project for staff), newest "
        "first unless ordered. UNAUTHENTICATED without a token; BAD_USER_INPUT for a "
        "`pagination` out of bounds.",
    )
    def projects(
        self,
        info: strawberry.Info,
        filters: Annotated[
            ProjectFilter | None,
            strawberry.argument(description="Which projects; all when omitted."),
        ] = None,
        order: Annotated[
            list[ProjectOrder] | None,
            strawberry.argument(
                description="Sort keys, first key first; newest first when omitted."
            ),
        ] = None,
        pagination: Annotated[
            OffsetPaginationInput | None,
            strawberry.argument(description="Which page; the first 20 when omitted."),
        ] = NO_PAGINATION,
    ) -> OffsetPaginated[ProjectType]:
        projects = selectors.project_list(
            user=user_of(info),
            search=filters.search if filters else None,
            ordering=ordering_keys(order),
        )
        return offset_page(projects, info=info, pagination=pagination)

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description="One project, or null when it does not exist, you may not see it or the id "
        "is not one. UNAUTHENTICATED without a token.",
    )
    def project(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The project's id.")],
    ) -> ProjectType | None:
        project_id = parse_id(id)
        if project_id is None:
            return None
        # A QuerySet, not an instance, so that the optimizer plans the nested fields.
        return selectors.project_list(user=user_of(info)).filter(id=project_id)
