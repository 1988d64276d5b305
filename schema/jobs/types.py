import strawberry
from strawberry import auto
from strawberry.scalars import JSON

from backend.jobs.models import Job, JobKind, JobStatus
from schema.accounts.types import UserType
from schema.adapters import model_type

JobKindEnum = strawberry.enum(JobKind, name="JobKind", description="What a job does.")
JobStatusEnum = strawberry.enum(
    JobStatus, name="JobStatus", description="PENDING -> PROCESSING -> COMPLETED | FAILED."
)


@model_type(Job, name="Job")
class JobType:
    """Background work you asked for: its state, progress (0-100) and outcome."""

    id: auto
    kind: JobKindEnum
    title: auto
    description: auto
    status: JobStatusEnum
    progress: int
    result: JSON | None
    error: auto
    celery_task_id: auto
    attempts: int
    owner: UserType
    created_at: auto
    updated_at: auto
    started_at: auto
    finished_at: auto
