import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from backend.jobs.models import Job
from backend.realtime.jobs import NO_SUCH_JOB, job_updates
from schema.core import parse_id
from schema.dataloaders import for_viewer
from schema.jobs.types import JobType
from schema.permissions import IsAuthenticated


@strawberry.type
class JobSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="One of your jobs: its state now, then at each change, until it COMPLETED "
        "or FAILED (the stream then ends) or is deleted (it ends without a last state); over "
        "WebSocket. NOT_FOUND, before anything is sent, when "
        "the job does not exist, is not yours or the id is not one.",
    )
    async def job_progress(
        self,
        info: strawberry.Info,
        job_id: Annotated[strawberry.ID, strawberry.argument(description="The job to follow.")],
    ) -> AsyncGenerator[JobType, None]:
        job = parse_id(job_id)
        if job is None:
            raise Job.DoesNotExist(NO_SUCH_JOB)
        jobs = for_viewer(info).jobs
        return await job_updates(
            consumer=info.context.ws, job_id=job, load=lambda: asyncio.shield(jobs.load(job))
        )
