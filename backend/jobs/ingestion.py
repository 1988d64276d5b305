"""Bulk ingestion (brief 004): an `ingest` job that creates up to 1,000 tasks from records.

`submit_ingestion` stores the records with the job before the client hears back. The worker
(`run_ingestion`) checks every record with `create_task`'s rules (backend/tasks/services.py
`new_task`) and creates the valid ones chunk by chunk; each chunk commits together with the
IngestedChunk row that says it is done, so a redelivered job carries on where it stopped.

What a bulk import does not do that `create_task` does, on purpose: it sends no `taskChanged`
event and no assignment e-mail per task. A thousand tasks would be a thousand socket events
(each loading its task in every web process) and up to a thousand e-mails for one assignee;
instead each chunk invalidates caches with one `tasks.imported` event, the importer follows the
job (`jobProgress`), and each assignee gets one inbox notification for the whole import. Every
task still gets its Activity history.
"""

import csv
import json
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend import events
from backend.events import DomainEvent, EventKind
from backend.jobs.errors import TransientError
from backend.jobs.models import IngestedChunk, Ingestion, Job, JobKind
from backend.jobs.services import complete_job, report_progress, start_job, submit_job
from backend.notifications.models import NotificationKind
from backend.notifications.services import notify
from backend.platform.errors import TooLargeError, field_error
from backend.platform.ids import parse_id
from backend.tasks.csv_columns import IMPORTED_COLUMNS
from backend.tasks.models import Activity, Task
from backend.tasks.services import TaskReferences, creation_history, new_task

MAX_RECORDS = 1000
# Records checked and created per transaction; also the brief's unit for its external call.
CHUNK_SIZE = 100
_no_nul = ProhibitNullCharactersValidator()
IDEMPOTENCY_KEY_LENGTH = Job._meta.get_field("idempotency_key").max_length


def _too_many(count: str) -> TooLargeError:
    return TooLargeError(
        {
            "records": TooLargeError(
                f"Too many records: {count} sent, at most {MAX_RECORDS:,} per import. "
                "Split them into several imports.",
                code="too_many_records",
            )
        }
    )


def submit_ingestion(
    *, actor, records: list, idempotency_key: str = "", title: str = ""
) -> tuple[Job, bool]:
    """Queue an import of `records` (objects with IMPORTED_COLUMNS); (the job, whether new).

    With an `idempotency_key` the actor used before, the job made then comes back, whatever the
    records: nothing is stored or queued again. Records are only counted here; the worker checks
    each one and reports its errors.
    """
    if len(idempotency_key) > IDEMPOTENCY_KEY_LENGTH:
        raise field_error(
            "idempotency_key",
            f"An idempotency key has at most {IDEMPOTENCY_KEY_LENGTH} characters.",
            "too_long",
        )
    if idempotency_key:
        existing = Job.objects.filter(owner=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    if not records:
        raise field_error("records", "Send at least one record.", "required")
    if len(records) > MAX_RECORDS:
        raise _too_many(f"{len(records):,}")
    try:
        with transaction.atomic():
            job = submit_job(
                actor=actor,
                kind=JobKind.INGEST,
                title=title or f"Import of {len(records):,} tasks",
                idempotency_key=idempotency_key,
            )
            Ingestion.objects.create(job=job, records=json.dumps(records), total=len(records))
    except IntegrityError:
        if not idempotency_key:
            raise
        # A request with the same key got in first: the insert waited for it to commit.
        return Job.objects.get(owner=actor, idempotency_key=idempotency_key), False
    return job, True


def records_from_csv(lines: Iterable[str]) -> list[dict]:
    """The records of a CSV file in the export's shape: a header line naming the columns, then
    a task a line. Known columns are read (an empty cell is an empty value), others ignored."""
    reader = csv.DictReader(lines, strict=True)
    try:
        columns = reader.fieldnames
        if not columns or "title" not in columns:
            raise field_error(
                "file",
                "The first line of the CSV file must name its columns, `title` among them "
                f"(known: {', '.join(IMPORTED_COLUMNS)}).",
                "no_title_column",
            )
        known = [name for name in IMPORTED_COLUMNS if name in columns]
        records = []
        for row in reader:
            if len(records) == MAX_RECORDS:
                raise _too_many(f"more than {MAX_RECORDS:,}")
            # A short line leaves its last cells None: absent, as a missing column is.
            records.append({name: row[name] for name in known if row[name] is not None})
    except csv.Error as exc:
        raise field_error("file", f"Not a readable CSV file: {exc}.", "invalid_csv") from exc
    except UnicodeDecodeError as exc:
        raise field_error("file", "The CSV file must be UTF-8 text.", "invalid_csv") from exc
    return records


def run_ingestion(*, job_id: int) -> None:
    """The worker's side: check and create the records chunk by chunk, then report.

    Chunks already recorded by an earlier delivery of this job are skipped; the brief's
    simulated external call (INGEST_SIMULATED_CALL_SECONDS) is made once per chunk imported.
    """
    job = start_job(job_id=job_id)
    if job is None:
        return
    stored = Ingestion.objects.filter(job_id=job_id).values_list("records", flat=True).first()
    if stored is None:
        return  # deleted with its job meanwhile
    records = json.loads(stored)
    starts = range(0, len(records), CHUNK_SIZE)
    done = set(IngestedChunk.objects.filter(job_id=job_id).values_list("index", flat=True))
    for index, start in enumerate(starts):
        if index not in done:
            if settings.INGEST_SIMULATED_CALL_SECONDS:
                time.sleep(settings.INGEST_SIMULATED_CALL_SECONDS)
            _import_chunk(job=job, index=index, records=records[start : start + CHUNK_SIZE])
        # 100 is for the job's completion, which follows.
        if not report_progress(job=job, progress=min(99, (index + 1) * 100 // len(starts))):
            return  # deleted or failed meanwhile
    _finish(job=job, total=len(records))


def _import_chunk(*, job: Job, index: int, records: list) -> None:
    owner, offset = job.owner, index * CHUNK_SIZE
    tasks, errors = _checked_tasks(actor=owner, records=records, offset=offset)
    assigned = Counter(task.assignee_id for task in tasks if task.assignee_id is not None)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    IngestedChunk.objects.create(
                        job=job,
                        index=index,
                        imported=len(tasks),
                        errors=errors,
                        assigned={str(user_id): count for user_id, count in assigned.items()},
                    )
            except IntegrityError:
                return  # another delivery of this job did this chunk (we waited for its commit)
            if not tasks:
                return
            Task.objects.bulk_create(tasks)
            Activity.objects.bulk_create(
                entry for task in tasks for entry in creation_history(task, actor=owner)
            )
            events.publish(
                DomainEvent(
                    kind=EventKind.TASKS_IMPORTED,
                    actor_id=owner.id,
                    data={
                        "job_id": job.id,
                        "task_ids": [task.id for task in tasks],
                        "project_ids": sorted({task.project_id for task in tasks} - {None}),
                        "assignee_ids": sorted(assigned),
                    },
                )
            )
    except IntegrityError as exc:
        # A project or user the chunk names went away between the check and the commit: a
        # retry checks the chunk again and reports those records instead.
        raise TransientError(f"Chunk {index} of job {job.id} changed under it: {exc}") from exc


def _checked_tasks(*, actor, records: list, offset: int) -> tuple[list[Task], list[dict]]:
    """The records' unsaved tasks that pass every rule, and the errors of the others."""
    fields, errors = {}, []
    for number, record in enumerate(records, start=offset):
        try:
            fields[number] = _task_fields(record)
        except ValidationError as exc:
            errors.extend(_record_errors(number, exc))
    references = TaskReferences(
        actor=actor,
        project_ids=[values.get("project_id") for values in fields.values()],
        assignee_ids=[values.get("assignee_id") for values in fields.values()],
    )
    tasks = []
    for number, values in fields.items():
        try:
            tasks.append(new_task(actor=actor, references=references, **values))
        except ValidationError as exc:
            errors.extend(_record_errors(number, exc))
    return tasks, sorted(errors, key=lambda error: error["index"])


def _text(value, *, null=None):
    if value is None and null is not None:
        return null
    if not isinstance(value, str):
        raise ValidationError("Expected text.", code="invalid")
    # What PostgreSQL cannot store would fail the whole chunk at the insert: refuse the record.
    _no_nul(value)
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise ValidationError("Text must be valid Unicode.", code="invalid") from exc
    return value


def _optional_id(value):
    if value is None or value == "":
        return None
    number = None if isinstance(value, bool) else parse_id(value)
    if number is None:
        raise ValidationError(f"{value!r} is not a valid id.", code="invalid_id")
    return number


def _optional_datetime(value):
    if value is None or value == "":
        return None
    moment = Task._meta.get_field("due_date").to_python(_text(value))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    try:
        # PostgreSQL refuses offsets beyond +-15:59; in UTC every moment Python holds is stored.
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValidationError("This date cannot be stored.", code="invalid") from exc


# How a record's raw values (JSON, or CSV text) become `new_task`'s arguments: the types only,
# every rule is the model's and `new_task`'s.
PARSERS = {
    "title": _text,
    "description": lambda value: _text(value, null=""),
    "status": _text,
    "priority": _text,
    "due_date": _optional_datetime,
    "project_id": _optional_id,
    "assignee_id": _optional_id,
}


def _task_fields(record) -> dict:
    if not isinstance(record, dict):
        raise ValidationError("A record is an object of task fields.", code="invalid")
    values, problems = {}, {}
    for name, parse in PARSERS.items():
        if name in record:
            try:
                values[name] = parse(record[name])
            except ValidationError as exc:
                problems[name] = exc
    if "title" not in record:
        problems["title"] = ValidationError("This field is required.", code="required")
    if problems:
        raise ValidationError(problems)
    return values


def _record_errors(index: int, exc: ValidationError) -> list[dict]:
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    return [
        {
            "index": index,
            "field": None if field == NON_FIELD_ERRORS else field,
            "message": " ".join(error.messages),
            "code": error.code or "invalid",
        }
        for field, errors in by_field.items()
        for error in errors
    ]


def _finish(*, job: Job, total: int) -> None:
    chunks = list(IngestedChunk.objects.filter(job_id=job.id).order_by("index"))
    errors = [error for chunk in chunks for error in chunk.errors]
    assigned = Counter()
    for chunk in chunks:
        assigned.update({int(user_id): count for user_id, count in chunk.assigned.items()})
    result = {
        "total": total,
        "imported": sum(chunk.imported for chunk in chunks),
        "failed": len({error["index"] for error in errors}),
        "errors": errors,
    }
    with transaction.atomic():
        if not complete_job(job=job, result=result):
            return
        # Told once per import, here, where the job's completion makes it happen only once.
        for user_id, count in sorted(assigned.items()):
            if user_id == job.owner_id:
                continue
            notify(
                user_id=user_id,
                kind=NotificationKind.ASSIGNED,
                message=f"{job.owner.username} assigned you {count:,} imported "
                f"task{'s' if count > 1 else ''}",
                data={"actor_id": job.owner_id, "job_id": job.id, "count": count},
            )
