from backend.jobs import exports, ingestion, reports, services
from backend.jobs.models import JobKind
from workers.base import StrideTask
from workers.celery import app


class JobTask(StrideTask):
    """A task running a Job: when it gives up, the Job says FAILED and why."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        super().on_failure(exc, task_id, args, kwargs, einfo)
        services.fail_job(job_id=kwargs["job_id"], error=f"{type(exc).__name__}: {exc}")


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
    """Send the job's task; if the broker is down this raises, and recovery sends it later."""
    RUNNERS[kind].apply_async(kwargs={"job_id": job_id}, task_id=celery_task_id)
    services.mark_queued(job_id=job_id)


@app.task(name="stride.jobs.recover")
def recover_stalled_jobs():
    """Beat, every few minutes: send again the jobs the broker never got; fail abandoned ones."""
    for job in services.recover_stalled_jobs():
        # Only kinds with a runner were ever sent; others wait for theirs (ingest, export, ...).
        if job.kind in RUNNERS:
            enqueue_job(job_id=job.id, kind=job.kind, celery_task_id=job.celery_task_id)


@app.task(name="stride.jobs.cleanup")
def delete_finished_jobs():
    """Beat, daily: finished jobs older than JOB_RETENTION_DAYS go."""
    return services.delete_finished_jobs()
