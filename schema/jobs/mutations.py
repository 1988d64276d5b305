import strawberry

from backend.jobs import services
from schema.core import mutation, user_of
from schema.jobs.inputs import JobInput
from schema.jobs.types import JobType


@strawberry.type
class JobMutations:
    @mutation()
    def submit_job(self, info: strawberry.Info, input: JobInput) -> JobType:
        """Queue a `process` job; follow it with `job(id)` or the `jobProgress` subscription."""
        return services.submit_job(
            actor=user_of(info), title=input.title, description=input.description
        )
