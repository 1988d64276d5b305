"""Exports on a real worker, and what an export leaves behind when it stops or starts over."""

import csv
import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from backend.jobs import exports
from backend.jobs.models import Job, JobStatus
from backend.jobs.services import delete_orphaned_files, fail_job, start_job
from backend.tasks.models import Task
from backend.tasks.services import create_task
from tests.workers.conftest import wait_for
from workers.jobs import delete_finished_jobs


def test_a_worker_process_writes_the_export(start_worker, alice, tmp_path):
    Task.objects.bulk_create(
        Task(title=f"Task {n}", created_by=alice, description=f"#{n}") for n in range(25)
    )
    media = tmp_path / "media"
    start_worker(MEDIA_ROOT=str(media))

    job = exports.request_export(actor=alice, criteria={"search": "#1"})

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, message="the export to finish")
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.error
    with (media / job.file.name).open(newline="") as file:
        rows = list(csv.reader(file))
    # "#1" and "#10" to "#19", in id order.
    assert [row[1] for row in rows[1:]] == ["Task 1", *(f"Task {n}" for n in range(10, 20))]
    assert job.result["rows"] == 11
    assert job.result["bytes"] == (media / job.file.name).stat().st_size


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_new_attempt_replaces_the_file_of_the_attempt_before(alice, media):
    create_task(actor=alice, title="Only one")
    job = exports.request_export(actor=alice, criteria={})
    # An attempt whose worker died halfway: the job names a partial file.
    Job.objects.filter(id=job.id).update(status=JobStatus.PROCESSING)
    job.file.save("tasks-partial.csv", ContentFile(b"id,title\n1,half"))
    partial = Path(job.file.path)

    exports.run_export_job(job_id=job.id)

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert not partial.exists()
    assert [p.name for p in media.rglob("*.csv")] == [Path(job.file.name).name]
    assert job.file.read().decode().count("\r\n") == 2


def test_an_export_that_fails_leaves_no_file(alice, media, monkeypatch):
    create_task(actor=alice, title="Only one")
    job = exports.request_export(actor=alice, criteria={})

    def broken(tasks):
        yield from ()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(exports, "_chunks", broken)
    with pytest.raises(RuntimeError):
        exports.run_export_job(job_id=job.id)

    job.refresh_from_db()
    assert job.file.name == ""
    assert list(media.rglob("*.csv")) == []


def test_an_export_stops_when_its_job_is_failed_meanwhile(alice, media, monkeypatch):
    Task.objects.bulk_create(Task(title=f"Task {n}", created_by=alice) for n in range(10))
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    job = exports.request_export(actor=alice, criteria={})
    chunks = exports._chunks

    def failing_midway(tasks):
        for chunk in chunks(tasks):
            if chunk[0][1] == "Task 4":
                fail_job(job_id=job.id, error="Given up by recovery")
            yield chunk

    monkeypatch.setattr(exports, "_chunks", failing_midway)
    exports.run_export_job(job_id=job.id)

    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "Given up by recovery")
    assert job.file.name == ""
    assert list(media.rglob("*.csv")) == []


def test_the_cleanup_removes_an_old_exports_file(alice, media):
    create_task(actor=alice, title="Only one")
    job = exports.request_export(actor=alice, criteria={})
    exports.run_export_job(job_id=job.id)
    job.refresh_from_db()
    path = Path(job.file.path)
    assert path.is_file()
    Job.objects.filter(id=job.id).update(finished_at=job.finished_at.replace(year=2000))

    assert delete_finished_jobs() == 1

    assert not path.exists()
    assert start_job(job_id=job.id) is None


def test_the_cleanup_removes_files_no_job_names_once_they_are_an_hour_old(alice, media):
    """A job can go without its file (its owner's account deleted, the admin's bulk delete):
    the cleanup finds such files; a younger one may be an export naming its file right now."""
    create_task(actor=alice, title="Only one")
    job = exports.request_export(actor=alice, criteria={})
    exports.run_export_job(job_id=job.id)
    job.refresh_from_db()
    kept = Path(job.file.path)
    orphan, fresh = media / "jobs" / "2026" / "01" / "tasks-1.csv", media / "jobs" / "young.csv"
    for path in (orphan, fresh):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id,title\n")
    two_hours_ago = time.time() - 7200
    os.utime(orphan, (two_hours_ago, two_hours_ago))
    os.utime(kept, (two_hours_ago, two_hours_ago))

    assert delete_orphaned_files() == ["jobs/2026/01/tasks-1.csv"]
    assert kept.is_file() and fresh.is_file() and not orphan.exists()

    Job.objects.filter(id=job.id).delete()  # as a cascade does: the file stays behind
    delete_finished_jobs()
    assert not kept.exists()
