"""Report jobs: a task report computed by a worker, kept as the job's result and announced to
its owner (REPORT_READY), for reports too large to wait for in a request."""

from backend.jobs import services
from backend.jobs.models import Job, JobKind
from backend.notifications.models import NotificationKind
from backend.tasks import reports, selectors


def request_report(*, actor, criteria: dict, top_projects: int | None = None) -> Job:
    """Queue a report over the tasks the actor may see that match `criteria` (`task_list`'s)."""
    top = reports.top_projects_or_default(top_projects)
    return services.submit_job(
        actor=actor,
        kind=JobKind.REPORT,
        title="Task report",
        params={"criteria": selectors.criteria_as_json(criteria), "top_projects": top},
    )


def run_report_job(*, job_id: int) -> None:
    """Compute the report of a `report` job as its owner sees the tasks now, and complete it.

    Idempotent: a redelivered task computes it again, and a finished job is left alone.
    """
    job = services.start_job(job_id=job_id)
    if job is None:
        return
    criteria = selectors.criteria_from_json(job.params.get("criteria", {}))
    report = reports.compute_report(
        user=job.owner,
        top_projects=job.params.get("top_projects", reports.top_projects_or_default(None)),
        **criteria,
    )
    services.complete_job(
        job=job,
        result=report.as_json(),
        notification_kind=NotificationKind.REPORT_READY,
        message=f"Your task report is ready: {report.total} tasks, {report.overdue} overdue.",
    )
