"""Reads on jobs, always through the visibility rule."""

from datetime import date

from django.db.models import Q, QuerySet

from backend.jobs.models import Job, JobKind, JobStatus

JOB_ORDERINGS = ("created_at", "updated_at", "finished_at", "status", "title")


def job_list(
    *,
    user,
    status: list[str] | None = None,
    kind: list[str] | None = None,
    search: str | None = None,
    created_from: date | None = None,
    created_until: date | None = None,
    ordering: list[str] | None = None,
) -> QuerySet:
    """The user's jobs (every job for staff), newest first unless `ordering` says otherwise.

    `created_from` and `created_until` are whole days, both included; `ordering` holds
    JOB_ORDERINGS names, `-` first for descending.
    """
    jobs = Job.objects.visible_to(user)
    if status:
        jobs = jobs.filter(status__in=status)
    if kind:
        jobs = jobs.filter(kind__in=kind)
    if search:
        jobs = jobs.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if created_from is not None:
        jobs = jobs.filter(created_at__date__gte=created_from)
    if created_until is not None:
        jobs = jobs.filter(created_at__date__lte=created_until)
    for key in ordering or []:
        if key.lstrip("-") not in JOB_ORDERINGS:
            raise ValueError(f"Cannot order jobs by {key!r}")
    return jobs.order_by(*(ordering or []), "-created_at", "-id")


def get_job(*, user, job_id: int) -> Job:
    """The job if the user may see it (theirs, or any for staff); Job.DoesNotExist otherwise."""
    return job_list(user=user).select_related("owner").get(id=job_id)


def export_file(*, user, job_id: int) -> Job:
    """A completed export with its file, for its owner alone: the file holds what the owner may
    see, so not even staff fetch it. Job.DoesNotExist otherwise."""
    return (
        Job.objects.filter(
            id=job_id, owner_id=user.pk, kind=JobKind.EXPORT, status=JobStatus.COMPLETED
        )
        .exclude(file="")
        .get()
    )


def ingestion_job(*, user, job_id: int) -> Job:
    """An import the user may see (theirs; any for staff); Job.DoesNotExist otherwise."""
    return (
        job_list(user=user, kind=[JobKind.INGEST])
        .select_related("ingestion")
        .defer("ingestion__records")
        .get(id=job_id)
    )
