import strawberry

from schema.jobs.types import JobKindEnum, JobStatusEnum


@strawberry.input(
    name="JobInput", description="A `process` job: simulated work that takes a while (brief 002)."
)
class JobInput:
    title: str = strawberry.field(description="A name for people, 1 to 255 characters, trimmed.")
    description: str = strawberry.field(default="", description="Details; may be empty.")


@strawberry.input(
    name="JobFilter", description="Which jobs to list: all of the conditions given hold."
)
class JobFilter:
    status: list[JobStatusEnum] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    kind: list[JobKindEnum] | None = strawberry.field(
        default=None, description="Any of these kinds."
    )
