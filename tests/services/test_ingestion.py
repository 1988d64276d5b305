"""Bulk ingestion's services: records checked with createTask's rules, chunks done once."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.caching import versions
from backend.caching.invalidation import versions_to_bump
from backend.events import EventKind
from backend.jobs import ingestion
from backend.jobs.ingestion import CHUNK_SIZE, MAX_RECORDS, records_from_csv, submit_ingestion
from backend.jobs.models import IngestedChunk, Job, JobKind, JobStatus
from backend.notifications.models import Notification, NotificationKind
from backend.platform.errors import TooLargeError
from backend.tasks.csv_columns import EXPORTED_COLUMNS, IMPORTED_COLUMNS
from backend.tasks.models import Activity, ActivityVerb, Task
from backend.tasks.services import create_task


def run(job: Job) -> Job:
    ingestion.run_ingestion(job_id=job.id)
    job.refresh_from_db()
    return job


def submitted(actor, records, **kwargs) -> Job:
    job, created = submit_ingestion(actor=actor, records=records, **kwargs)
    assert created
    return job


def test_valid_and_invalid_records_mixed_import_the_valid_and_report_the_others(
    alice, bob, mallory, project
):
    records = [
        {"title": "Plain"},
        {"title": "  ", "priority": "high"},
        {
            "title": "Full",
            "description": "All of it",
            "status": "completed",
            "priority": "urgent",
            "due_date": "2030-01-31T17:00:00+02:00",
            "project_id": project.id,
            "assignee_id": bob.id,
        },
        {"title": "Elsewhere", "project_id": 999_999},
        {"title": "Outsider", "project_id": project.id, "assignee_id": mallory.id},
        {"title": "Bad values", "status": "sometimes", "due_date": "soon", "assignee_id": "x"},
        "not an object",
        {"description": "no title"},
    ]
    job = run(submitted(alice, records))

    assert job.status == JobStatus.COMPLETED
    assert job.progress == 100
    assert job.result["total"] == 8
    assert job.result["imported"] == 2
    assert job.result["failed"] == 6
    errors = {(error["index"], error["field"], error["code"]) for error in job.result["errors"]}
    assert errors == {
        (1, "title", "blank"),
        (3, "project_id", "project_not_found"),
        (4, "assignee_id", "not_assignable"),
        (5, "due_date", "invalid"),
        (5, "assignee_id", "invalid_id"),
        (6, None, "invalid"),
        (7, "title", "required"),
    }
    assert all(error["message"] for error in job.result["errors"])
    full = Task.objects.get(title="Full")
    assert (full.status, full.priority, full.project, full.assignee) == (
        "completed",
        "urgent",
        project,
        bob,
    )
    assert full.due_date == datetime(2030, 1, 31, 15, 0, tzinfo=UTC)
    assert full.completed_at is not None
    assert full.created_by == alice
    assert Task.objects.get(title="Plain").project is None
    assert list(full.activity.values_list("verb", "new_value")) == [
        (ActivityVerb.CREATED, ""),
        (ActivityVerb.ASSIGNED, "bob"),
    ]


def test_text_postgresql_cannot_store_is_a_record_error_not_a_failed_job(alice):
    records = [{"title": "nul\x00byte"}, {"title": "lone \ud800 surrogate"}, {"title": "ok"}]

    job = run(submitted(alice, records))

    assert job.status == JobStatus.COMPLETED
    assert [(e["index"], e["field"]) for e in job.result["errors"]] == [(0, "title"), (1, "title")]
    assert list(Task.objects.values_list("title", flat=True)) == ["ok"]


def test_a_status_record_with_a_bad_choice_is_refused_as_create_task_refuses_it(alice):
    with pytest.raises(ValidationError) as refused:
        create_task(actor=alice, title="x", status="sometimes")
    job = run(submitted(alice, [{"title": "x", "status": "sometimes"}]))

    (error,) = job.result["errors"]
    (expected,) = refused.value.error_dict["status"]
    assert (error["field"], error["message"]) == ("status", " ".join(expected.messages))
    assert not Task.objects.exists()


def test_a_thousand_records_are_checked_in_a_few_queries_per_chunk(alice, bob, project):
    records = [
        {"title": f"Task {n}", "project_id": project.id, "assignee_id": bob.id}
        for n in range(MAX_RECORDS)
    ]
    job = submitted(alice, records)

    with CaptureQueriesContext(connection) as queries:
        run(job)

    assert job.result["imported"] == MAX_RECORDS
    assert Task.objects.filter(project=project, assignee=bob).count() == MAX_RECORDS
    assert Activity.objects.filter(verb=ActivityVerb.ASSIGNED).count() == MAX_RECORDS
    chunks = MAX_RECORDS // CHUNK_SIZE
    # Per chunk: 3 reads of references, savepoints, the chunk row, tasks, activity, progress.
    assert len(queries) <= 12 * chunks + 20, len(queries)


def test_redelivery_of_a_finished_job_imports_nothing_again(alice):
    job = run(submitted(alice, [{"title": f"T{n}"} for n in range(250)]))

    ingestion.run_ingestion(job_id=job.id)

    assert Task.objects.count() == 250
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 1  # a finished job is not started again


def test_a_job_redelivered_after_its_worker_died_midway_skips_the_chunks_it_had_done(alice):
    records = [{"title": f"T{n}"} for n in range(350)]
    job = submitted(alice, records)
    # The first delivery committed chunks 0 and 1, then died: the job is left PROCESSING.
    ingestion.start_job(job_id=job.id)
    for index in (0, 1):
        ingestion._import_chunk(
            job=Job.objects.get(id=job.id),
            index=index,
            records=records[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE],
        )
    assert Task.objects.count() == 200

    job = run(job)

    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 2
    assert job.result["imported"] == 350
    titles = list(Task.objects.values_list("title", flat=True))
    assert sorted(titles) == sorted(record["title"] for record in records)
    assert list(IngestedChunk.objects.filter(job=job).values_list("index", flat=True)) == [
        0,
        1,
        2,
        3,
    ]


def test_assignees_are_told_once_per_import_and_the_importer_not_at_all(alice, bob, project):
    records = [
        {"title": f"T{n}", "project_id": project.id, "assignee_id": bob.id} for n in range(150)
    ]
    records.append({"title": "Mine", "assignee_id": alice.id})

    run(submitted(alice, records))

    (notice,) = Notification.objects.filter(kind=NotificationKind.ASSIGNED)
    assert notice.user == bob
    assert notice.message == "alice assigned you 150 imported tasks"
    assert notice.data["count"] == 150
    assert not Notification.objects.filter(user=alice, kind=NotificationKind.ASSIGNED).exists()


def test_each_chunk_makes_the_lists_of_everyone_who_sees_its_tasks_stale(
    alice, bob, project, monkeypatch
):
    published = []
    monkeypatch.setattr(ingestion.events, "publish", published.append)
    records = [{"title": "T", "project_id": project.id, "assignee_id": bob.id}, {"title": "U"}]

    run(submitted(alice, records))

    (event,) = [event for event in published if event.kind == EventKind.TASKS_IMPORTED]
    task_ids = list(Task.objects.values_list("id", flat=True))
    assert sorted(event.data["task_ids"]) == sorted(task_ids)
    assert versions_to_bump(event) == {
        versions.STAFF_LISTS,
        versions.project_lists(project.id),
        versions.user_lists(alice.id),
        versions.user_lists(bob.id),
        *(versions.task_version(task_id) for task_id in task_ids),
    }


def test_an_import_over_a_thousand_records_is_refused_as_too_large(alice):
    with pytest.raises(TooLargeError) as refused:
        submit_ingestion(actor=alice, records=[{"title": "x"}] * (MAX_RECORDS + 1))

    (error,) = refused.value.error_dict["records"]
    assert error.code == "too_many_records"
    assert "1,001 sent, at most 1,000" in error.message
    assert not Job.objects.exists()


def test_an_empty_import_is_refused(alice):
    with pytest.raises(ValidationError) as refused:
        submit_ingestion(actor=alice, records=[])
    assert refused.value.error_dict["records"][0].code == "required"


def test_the_same_idempotency_key_returns_the_same_job_and_stores_nothing_more(alice, bob):
    job = submitted(alice, [{"title": "Once"}], idempotency_key="import-42")

    again, created = submit_ingestion(
        actor=alice, records=[{"title": "Other"}], idempotency_key="import-42"
    )
    bobs, bob_created = submit_ingestion(
        actor=bob, records=[{"title": "Bob's"}], idempotency_key="import-42"
    )

    assert (again.id, created) == (job.id, False)
    assert bob_created and bobs.id != job.id  # keys are per owner
    assert Job.objects.filter(kind=JobKind.INGEST).count() == 2


def test_an_overlong_idempotency_key_is_refused(alice):
    with pytest.raises(ValidationError) as refused:
        submit_ingestion(actor=alice, records=[{"title": "x"}], idempotency_key="k" * 256)
    assert refused.value.error_dict["idempotency_key"][0].code == "too_long"


def exported_csv(tasks) -> str:
    """Tasks written as the export writes them (backend/tasks/csv_columns.py)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORTED_COLUMNS)
    for task in tasks:
        row = []
        for column in EXPORTED_COLUMNS:
            value = getattr(task, column)
            row.append(
                ""
                if value is None
                else value.isoformat()
                if column.endswith(("_at", "date"))
                else value
            )
        writer.writerow(row)
    return out.getvalue()


def test_records_from_csv_read_the_exported_columns_and_ignore_the_rest(alice, bob, project):
    task = create_task(
        actor=alice,
        title='Quote "this", please',
        description="Two\nlines",
        priority="high",
        due_date=datetime(2031, 5, 1, 9, 30, tzinfo=UTC),
        project_id=project.id,
        assignee_id=bob.id,
    )
    personal = create_task(actor=alice, title="Personal")

    records = records_from_csv(io.StringIO(exported_csv([task, personal]), newline=""))

    assert [set(record) for record in records] == [set(IMPORTED_COLUMNS)] * 2
    assert records[0]["title"] == 'Quote "this", please'
    assert records[0]["description"] == "Two\nlines"
    assert records[1]["project_id"] == "" and records[1]["due_date"] == ""


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "no_title_column"),
        ("name,status\nx,pending\n", "no_title_column"),
        ('title\n"unterminated\n', "invalid_csv"),
    ],
)
def test_unreadable_csv_files_are_refused_with_the_reason(text, code):
    with pytest.raises(ValidationError) as refused:
        records_from_csv(io.StringIO(text, newline=""))
    assert refused.value.error_dict["file"][0].code == code


def test_a_csv_file_of_more_than_a_thousand_lines_is_refused_as_too_large():
    text = "title\n" + "x\n" * (MAX_RECORDS + 1)
    with pytest.raises(TooLargeError):
        records_from_csv(io.StringIO(text, newline=""))
    assert len(records_from_csv(io.StringIO("title\n" + "x\n" * MAX_RECORDS))) == MAX_RECORDS


def test_a_record_parser_exists_for_every_imported_column():
    assert set(ingestion.PARSERS) == set(IMPORTED_COLUMNS)
