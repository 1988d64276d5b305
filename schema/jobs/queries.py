from typing import Annotated

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
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Your jobs (every job for staff), newest first. UNAUTHENTICATED without a "
        "token; BAD_USER_INPUT for a `pagination` out of bounds.",
    )
    def jobs(
        self,
        info: strawberry.Info,
        filters: Annotated[
            JobFilter | None, strawberry.argument(description="Which jobs; all when omitted.")
        ] = None,
        pagination: Annotated[
            OffsetPaginationInput | None,
            strawberry.argument(description="Which page; the first 20 when omitted."),
        ] = NO_PAGINATION,
    ) -> OffsetPaginated[JobType]:
        criteria = {}
        if filters is not None:
            criteria = {"status": filters.status, "kind": filters.kind}
        jobs = selectors.job_list(user=user_of(info), **criteria)
        return offset_page(jobs, info=info, pagination=pagination)

    @strawberry_django.field(
        permission_classes=[IsAuthenticated],
        description="One of your jobs, or null when it does not exist, is not yours (staff see "
        "every job) or the id is not one. UNAUTHENTICATED without a token.",
    )
    def job(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The job's id.")],
    ) -> JobType | None:
        job_id = parse_id(id)
        if job_id is None:
            return None
        return (
            selectors.job_list(user=user_of(info)).select_related("owner").filter(id=job_id).first()
        )
