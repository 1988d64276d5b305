import strawberry

from schema.jobs.types import JobKindEnum, JobStatusEnum


@strawberry.input(name="JobInput")
class JobInput:
    """A `process` job: simulated work that takes a while (brief 002)."""

    title: str
    description: str = ""


@strawberry.input(name="JobFilter")
class JobFilter:
    status: list[JobStatusEnum] | None = None
    kind: list[JobKindEnum] | None = None
