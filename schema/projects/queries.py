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
    @strawberry.field(permission_classes=[IsAuthenticated])
    def projects(
        self,
        info: strawberry.Info,
        filters: ProjectFilter | None = None,
        order: list[ProjectOrder] | None = None,
        pagination: OffsetPaginationInput | None = NO_PAGINATION,
    ) -> OffsetPaginated[ProjectType]:
        """Projects you own or are a member of."""
        projects = selectors.project_list(
            user=user_of(info),
            search=filters.search if filters else None,
            ordering=ordering_keys(order),
        )
        return offset_page(projects, info=info, pagination=pagination)

    @strawberry_django.field(permission_classes=[IsAuthenticated])
    def project(self, info: strawberry.Info, id: strawberry.ID) -> ProjectType | None:
        """One project, or null when it does not exist or you may not see it."""
        project_id = parse_id(id)
        if project_id is None:
            return None
        # A QuerySet, not an instance, so that the optimizer plans the nested fields.
        return selectors.project_list(user=user_of(info)).filter(id=project_id)
