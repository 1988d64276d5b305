"""CSV export of tasks: an `export` job writes the tasks its owner sees to a file.

The rows are read in id order, a chunk at a time (`id > last id seen`), and written as they
come, so a worker's memory does not grow with the number of rows, whatever the database
connection (no server-side cursor needed: PgBouncer in transaction mode and SQLite serve it
too), and progress is published between chunks. Each chunk is read as it stands when read: a
task changed during a long export appears as it was at its chunk.
"""

import csv
import io
from collections.abc import Iterator

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import DateTimeField, Func, TextField
from django.urls import reverse

from backend.jobs import services
from backend.jobs.models import Job, JobKind, JobStatus
from backend.tasks import selectors
from backend.tasks.csv_columns import EXPORTED_COLUMNS
from backend.tasks.models import Task

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
    tasks = selectors.task_list(user=job.owner, **criteria)
    total = selectors.count_tasks(user=job.owner, **criteria)
    written, progress = 0, 0
    with job.file.open("wb") as stored, io.TextIOWrapper(stored.file, "utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(EXPORTED_COLUMNS)
        for chunk in _chunks(tasks):
            writer.writerows(chunk)
            written += len(chunk)
            # 100 only once the job is complete; rows added since the count may exceed it.
            now = min(99, written * 100 // max(total, 1))
            if now > progress:
                progress = now
                if not services.report_progress(job=job, progress=progress):
                    return None
    return written


class IsoTimestamp(Func):
    """A timestamp as ISO 8601 text in UTC with its offset, as csv_columns promises, made by
    the database: Python's conversion of each timestamp to a datetime and back to text was
    most of an export's time (bench/RESULTS.md)."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', "
            '\'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"\')',
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps UTC timestamps as "YYYY-MM-DD HH:MM:SS[.ffffff]" text.
        return self.as_sql(
            compiler,
            connection,
            template="replace(%(expressions)s, ' ', 'T') || '+00:00'",
            **extra_context,
        )


def _chunks(tasks) -> Iterator[list[tuple]]:
    """The rows of `tasks` in EXPORTED_COLUMNS' order and id order, CHUNK_ROWS at a time."""
    timestamps = {
        name: IsoTimestamp(name)
        for name in EXPORTED_COLUMNS
        if isinstance(Task._meta.get_field(name), DateTimeField)
    }
    columns = [f"{name}_text" if name in timestamps else name for name in EXPORTED_COLUMNS]
    rows = (
        tasks.annotate(**{f"{name}_text": value for name, value in timestamps.items()})
        .order_by("id")
        .values_list(*columns)
    )
    last_id = 0
    while chunk := list(rows.filter(id__gt=last_id)[:CHUNK_ROWS]):
        yield chunk
        last_id = chunk[-1][0]


def _discard_file(job: Job) -> None:
    name = job.file.name
    job.file.delete(save=False)
    Job.objects.filter(id=job.id, file=name).update(file="")
