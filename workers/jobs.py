from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from backend.jobs import exports, ingestion, reports, services
from backend.jobs.errors import TransientError
from backend.jobs.models import JobKind
from backend.outbox import services as outbox
from workers.base import StrideTask
from workers.celery import app
from workers.outbox import enqueue


def failure_reason(exc: BaseException, task_id: str) -> str:
    """What the job's owner reads: our own words (a simulated failure, a refused input) as they
    are; anything else, a driver's or a bug's text, only as the task id it was logged under."""
    if isinstance(exc, TransientError | ValidationError):
        return f"{type(exc).__name__}: {exc}"
    return f"The job failed unexpectedly; it was logged as task {task_id}."


class JobTask(StrideTask):
    """A task running a Job: when it gives up, the Job says FAILED and why."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        super().on_failure(exc, task_id, args, kwargs, einfo)
        services.fail_job(job_id=kwargs["job_id"], error=failure_reason(exc, task_id))

    def on_undelivered(self, *, kwargs, error):
        services.fail_job(
            job_id=kwargs["job_id"],
            error="No worker finished this job: it was lost with its worker or hit the time "
            f"limit each time ({error})",
        )


@app.task(name="stride.jobs.process", base=JobTask)
def run_process_job(*, job_id: int):
    services.run_process_job(job_id=job_id)


@app.task(name="stride.jobs.export", base=JobTask)
def run_export_job(*, job_id: int):
    exports.run_export_job(job_id=job_id)


@app.task(name="stride.jobs.ingest", base=JobTask)
def run_ingestion(*, job_id: int):
    ingestion.run_ingestion(job_id=job_id)


@app.task(name="stride.jobs.report", base=JobTask)
def run_report_job(*, job_id: int):
    reports.run_report_job(job_id=job_id)


RUNNERS = {
    JobKind.PROCESS: run_process_job,
    JobKind.EXPORT: run_export_job,
    JobKind.INGEST: run_ingestion,
    JobKind.REPORT: run_report_job,
}


def enqueue_job(*, job_id: int, kind: str, celery_task_id: str) -> None:
    """Send the job's task once the submission commits (through the outbox)."""
    enqueue(RUNNERS[kind].name, message_id=celery_task_id, job_id=job_id)


@app.task(name="stride.jobs.cleanup")
def delete_finished_jobs():
    """Beat, daily: finished jobs older than JOB_RETENTION_DAYS go, and outbox messages done
    as long ago."""
    deleted = services.delete_finished_jobs()
    outbox.delete_done(before=timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS))
    return deleted
