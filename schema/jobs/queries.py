import strawberry
import strawberry_django

from backend.jobs import selectors
from schema.core import parse_id, user_of
from schema.jobs.inputs import JobFilter
from schema.jobs.types import JobType
from schema.pagination import NO_PAGINATION, OffsetPaginated, OffsetPaginationInput, offset_page
from schema.permissions import IsAuthenticated


@strawberry.type
class JobQueries:
    @strawberry.field(permission_classes=[IsAuthenticated])
    def jobs(
        self,
        info: strawberry.Info,
        filters: JobFilter | None = None,
        pagination: OffsetPaginationInput | None = NO_PAGINATION,
    ) -> OffsetPaginated[JobType]:
        """Your jobs, newest first."""
        criteria = {}
        if filters is not None:
            criteria = {"status": filters.status, "kind": filters.kind}
        jobs = selectors.job_list(user=user_of(info), **criteria)
        return offset_page(jobs, info=info, pagination=pagination)

    @strawberry_django.field(permission_classes=[IsAuthenticated])
    def job(self, info: strawberry.Info, id: strawberry.ID) -> JobType | None:
        """One of your jobs, or null when it does not exist or is not yours."""
        job_id = parse_id(id)
        if job_id is None:
            return None
        return (
            selectors.job_list(user=user_of(info)).select_related("owner").filter(id=job_id).first()
        )
