import strawberry
from strawberry import auto
from strawberry.scalars import JSON

from backend.jobs.models import Job, JobKind, JobStatus
from schema.accounts.types import UserType
from schema.adapters import describe_values, model_type

JobKindEnum = strawberry.enum(JobKind, name="JobKind", description="What a job does.")
describe_values(
    JobKindEnum,
    PROCESS="Simulated work that takes a while (`submitJob`).",
    INGEST="An import of tasks (`importTasks`); `result` counts and explains them.",
    EXPORT="A CSV file of tasks (`exportTasks`); `result.download_url` serves it.",
    REPORT="A task report computed in the background (`requestReport`); `result` holds it.",
)
JobStatusEnum = strawberry.enum(
    JobStatus, name="JobStatus", description="PENDING -> PROCESSING -> COMPLETED | FAILED."
)
describe_values(
    JobStatusEnum,
    PENDING="Queued: no worker has started it yet.",
    PROCESSING="A worker is on it; `progress` grows. A retried job starts again from 0.",
    COMPLETED="Done: `result` holds the outcome and `progress` is 100.",
    FAILED="Given up: `error` says why.",
)


@model_type(
    Job,
    name="Job",
    description="Background work you asked for: its state, progress (0-100) and outcome. Only "
    "its owner (and staff) see it; finished jobs are deleted after some days "
    "(JOB_RETENTION_DAYS).",
)
class JobType:
    id: auto = strawberry.field(description="The job's id.")
    kind: JobKindEnum = strawberry.field(description="What it does.")
    title: auto = strawberry.field(description="A name for people, 1 to 255 characters.")
    description: auto = strawberry.field(description="Details; empty when there are none.")
    status: JobStatusEnum = strawberry.field(description="Where it stands.")
    progress: int = strawberry.field(description="How far it got, 0 to 100.")
    result: JSON | None = strawberry.field(
        description="The outcome once COMPLETED: a JSON object whose snake_case keys depend on "
        "`kind` (an export's: `message`, `rows`, `bytes`, `download_url`); null before."
    )
    error: auto = strawberry.field(description="Why it FAILED; empty otherwise.")
    celery_task_id: auto = strawberry.field(
        description="The id of its Celery task, known from submission on (for operators)."
    )
    attempts: int = strawberry.field(
        description="How many times a worker started it (retries and redeliveries count)."
    )
    owner: UserType = strawberry.field(description="Who asked for it.")
    created_at: auto = strawberry.field(description="When it was submitted.")
    updated_at: auto = strawberry.field(description="When its state or progress last changed.")
    started_at: auto = strawberry.field(
        description="When a worker last started it; null while PENDING."
    )
    finished_at: auto = strawberry.field(
        description="When it COMPLETED or FAILED; null until then."
    )
