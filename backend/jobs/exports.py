"""CSV export of tasks: an `export` job writes the tasks its owner sees to a file.

The rows are read in id order, a chunk at a time (`id > last id seen`), and written as they
come, so a worker's memory does not grow with the number of rows, whatever the database
connection (no server-side cursor needed: PgBouncer in transaction mode and SQLite serve it
too), and progress is published between chunks. Each chunk is read as it stands when read: a
task changed during a long export appears as it was at its chunk.
"""

import csv
import io
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from backend.jobs import services
from backend.jobs.models import Job, JobKind, JobStatus
from backend.tasks import selectors
from backend.tasks.csv_columns import EXPORTED_COLUMNS

CHUNK_ROWS = 5000


def request_export(*, actor, criteria: dict, title: str = "") -> Job:
    """Queue an export of the tasks the actor may see that match `criteria` (`task_list`'s)."""
    return services.submit_job(
        actor=actor,
        kind=JobKind.EXPORT,
        title=title.strip() or "Export of tasks",
        params={"criteria": selectors.criteria_as_json(criteria)},
    )


def download_path(job_id: int) -> str:
    """Where the owner of a finished export fetches its file (the REST layer serves it)."""
    return reverse("job-download", kwargs={"pk": job_id})


def run_export_job(*, job_id: int) -> None:
    """Write the CSV file of an `export` job and complete it with the file's URL.

    A previous attempt's file (the worker died, or the task is retried) is replaced; a job
    deleted or failed while the file is written stops at the next chunk and leaves no file.
    """
    job = services.start_job(job_id=job_id)
    if job is None:
        return
    criteria = selectors.criteria_from_json(job.params.get("criteria", {}))
    if job.file:
        job.file.delete(save=False)
    # The file is named on the row before it is written, so a worker dying halfway leaves a
    # file its job knows of: the next attempt, the job's deletion or the cleanup removes it.
    job.file.save(f"tasks-{job.id}.csv", ContentFile(b""), save=False)
    if not Job.objects.filter(id=job.id, status=JobStatus.PROCESSING).update(file=job.file.name):
        job.file.delete(save=False)
        return
    try:
        rows = _write_csv(job, criteria)
    except BaseException:
        _discard_file(job)
        raise
    if rows is None:
        _discard_file(job)
        return
    completed = services.complete_job(
        job=job,
        result={
            "message": f"Exported {rows} tasks.",
            "rows": rows,
            "bytes": job.file.size,
            "download_url": settings.SITE_URL + download_path(job.id),
        },
    )
    if not completed:  # deleted or failed since the last chunk
        _discard_file(job)


def _write_csv(job: Job, criteria: dict) -> int | None:
    """How many rows were written; None if the job stopped running meanwhile."""
    tasks = selectors.task_list(user=job.owner, **criteria).order_by("id")
    total = selectors.count_tasks(user=job.owner, **criteria)
    written, last_id, progress = 0, 0, 0
    with job.file.open("wb") as stored, io.TextIOWrapper(stored.file, "utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(EXPORTED_COLUMNS)
        while True:
            chunk = list(tasks.filter(id__gt=last_id).values_list(*EXPORTED_COLUMNS)[:CHUNK_ROWS])
            if not chunk:
                break
            writer.writerows(map(_csv_row, chunk))
            written += len(chunk)
            last_id = chunk[-1][0]
            # 100 only once the job is complete; rows added since the count may exceed it.
            now = min(99, written * 100 // max(total, 1))
            if now > progress:
                progress = now
                if not services.report_progress(job=job, progress=progress):
                    return None
    return written


def _csv_row(row: tuple) -> list:
    # ISO 8601 with the offset ("T" between date and time), as csv_columns promises.
    return [value.isoformat() if isinstance(value, datetime) else value for value in row]


def _discard_file(job: Job) -> None:
    name = job.file.name
    job.file.delete(save=False)
    Job.objects.filter(id=job.id, file=name).update(file="")
