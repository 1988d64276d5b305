"""Reads on jobs, always through the visibility rule."""

from django.db.models import QuerySet

from backend.jobs.models import Job


def job_list(*, user, status: list[str] | None = None, kind: list[str] | None = None) -> QuerySet:
    """The user's jobs (every job for staff), newest first."""
    jobs = Job.objects.visible_to(user)
    if status:
        jobs = jobs.filter(status__in=status)
    if kind:
        jobs = jobs.filter(kind__in=kind)
    return jobs.order_by("-created_at", "-id")
