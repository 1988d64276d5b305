"""Workers and beat ride out outages (issue 14): a Redis broker the test kills and starts again,
a proxy in front of PostgreSQL the test cuts. Work asked for meanwhile, through the front door,
is done once the broker is back: one e-mail, each job completed."""

import json
import os
import subprocess
import time
import urllib.request
import uuid

import pytest
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from backend.jobs.models import Job, JobStatus
from backend.jobs.services import submit_job
from backend.tasks.services import create_task
from tests.conftest import bearer_headers, operation
from tests.faults import TcpProxy
from tests.live_server import LiveServer
from tests.workers.conftest import CELERY, ROOT, database_url_of_tests, wait_for


def graphql(server, user, name, **variables):
    request = urllib.request.Request(
        f"{server.url}/graphql/",
        data=json.dumps({"query": operation(name), "variables": variables}).encode(),
        headers={"Content-Type": "application/json", **bearer_headers(user)},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    assert "errors" not in answer, answer
    (value,) = answer["data"].values()
    return value


@pytest.fixture
def web_server(private_broker, real_broker):
    """The web server, queueing its tasks on the test's own broker."""
    server = LiveServer(
        CELERY_BROKER_URL=private_broker.url, CELERY_QUEUE=real_broker, STRIDE_TEST_QUEUE_TASKS="1"
    ).start()
    yield server
    server.stop()


def test_work_asked_for_during_a_broker_outage_is_done_once_when_it_returns(
    private_broker, web_server, start_worker, smtp_server, alice, bob, project
):
    worker = start_worker(
        concurrency=2,
        broker_url=private_broker.url,
        EMAIL_URL=smtp_server.url,
        JOB_PROCESS_SECONDS="3",
        OUTBOX_POLL_SECONDS="0.2",
        # A job whose message died with the broker is published again this soon.
        OUTBOX_REDELIVER_SECONDS="10",
    )
    task = create_task(actor=alice, title="Ship it", project_id=project.id)
    running = graphql(web_server, alice, "submitJob", input={"title": "Running at the kill"})
    wait_for(
        lambda: Job.objects.get(id=running["id"]).status == JobStatus.PROCESSING,
        message="the first job to start",
    )

    private_broker.stop()
    assigned = graphql(web_server, alice, "assignTask", taskId=task.id, assigneeId=bob.id)
    submitted = [
        graphql(web_server, alice, "submitJob", input={"title": f"During the outage {n}"})
        for n in range(3)
    ]
    time.sleep(3)
    assert assigned["assignee"]["username"] == "bob"
    assert smtp_server.inbox.messages() == []
    assert worker.process.poll() is None, worker.log()

    private_broker.start()
    job_ids = [running["id"], *(job["id"] for job in submitted)]
    wait_for(
        lambda: Job.objects.filter(id__in=job_ids, status=JobStatus.COMPLETED).count() == 4,
        timeout=90,
        message="every job to complete",
    )
    wait_for(smtp_server.inbox.messages, timeout=30, message="the assignment e-mail")
    time.sleep(3)  # time for a second copy to arrive, if one were to

    (email,) = smtp_server.inbox.messages()
    assert email["To"] == "bob@example.com"
    assert email["Subject"] == "[Stride] You were assigned: Ship it"
    assert worker.process.poll() is None, worker.log()
    assert "Unrecoverable" not in worker.log()


@pytest.fixture
def database_proxy():
    with TcpProxy(5432) as proxy:
        yield proxy
    # The processes that went through it are gone, but PostgreSQL may still hold their idle
    # sessions: the proxy's cut closes its sockets while its pipe threads sit in recv(), which
    # keeps them open until traffic comes. The test database can only be dropped without them.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [THROUGH_PROXY],
        )
    wait_for(lambda: not sessions_through_proxy(), timeout=15, message="those sessions to end")


# The name the processes that connect through the proxy give their sessions.
THROUGH_PROXY = "stride-test-through-proxy"


def sessions_through_proxy() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [THROUGH_PROXY]
        )
        return cursor.fetchone()[0]


def test_beat_rides_out_a_database_cut_even_one_it_starts_in(
    private_broker, real_broker, database_proxy, tmp_path
):
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.create(
        name="Probe", task="stride.summaries.daily", interval=every_second, enabled=True
    )
    PeriodicTasks.update_changed()
    database = database_url_of_tests().replace(":5432/", f":{database_proxy.port}/")
    log_path = tmp_path / "beat.log"
    database_proxy.cut()
    with log_path.open("w") as log:
        beat = subprocess.Popen(
            [CELERY, "-A", "workers", "beat", "--loglevel", "info", "--max-interval", "1"],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "backend.settings",
                "DEBUG": "0",
                "SECRET_KEY": "tests-only-secret-key-never-used-anywhere-else-7f3a9c2e",
                "DATABASE_URL": database,
                "DATABASE_POOL_TIMEOUT": "1",
                "PGAPPNAME": THROUGH_PROXY,
                "CELERY_BROKER_URL": private_broker.url,
                "CELERY_QUEUE": real_broker,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    try:

        def sent_probes():
            return log_path.read_text().count("Sending due task Probe")

        time.sleep(6)  # started without a database, and several reads failed
        assert beat.poll() is None, log_path.read_text()
        assert sent_probes() == 0

        database_proxy.restore()
        wait_for(sent_probes, timeout=30, message="beat to send the probe")

        database_proxy.cut()
        time.sleep(5)
        assert beat.poll() is None, log_path.read_text()
        database_proxy.restore()
        before = sent_probes()
        wait_for(lambda: sent_probes() > before, timeout=30, message="beat to go on")
        assert beat.poll() is None
    finally:
        beat.terminate()
        beat.wait(timeout=15)


def test_a_worker_rides_out_a_database_cut_and_does_the_work_after(
    private_broker, database_proxy, start_worker, alice
):
    database = database_url_of_tests().replace(":5432/", f":{database_proxy.port}/")
    worker = start_worker(
        broker_url=private_broker.url,
        DATABASE_URL=database,
        DATABASE_POOL_TIMEOUT="1",
        PGAPPNAME=THROUGH_PROXY,
        OUTBOX_POLL_SECONDS="0.2",
        TASK_RETRY_BACKOFF_SECONDS="2",
    )
    database_proxy.cut()
    time.sleep(1)
    # Written while the worker cannot reach the database (the test's own connection can).
    job = submit_job(actor=alice, title=f"Cut {uuid.uuid4().hex[:6]}")
    time.sleep(4)
    assert worker.process.poll() is None, worker.log()

    database_proxy.restore()
    wait_for(
        lambda: Job.objects.get(id=job.id).status == JobStatus.COMPLETED,
        timeout=60,
        message="the job to complete",
    )
    assert worker.process.poll() is None, worker.log()


def test_a_job_in_flight_outlasts_a_database_cut_longer_than_its_retries(
    private_broker, database_proxy, start_worker, alice
):
    """Waiting for a database that is down uses up no attempt: with one retry allowed and a
    backoff of a second at most, a job cut off for 6 s still completes (it used to fail, and
    show the driver's text as its error)."""
    database = database_url_of_tests().replace(":5432/", f":{database_proxy.port}/")
    worker = start_worker(
        broker_url=private_broker.url,
        DATABASE_URL=database,
        DATABASE_POOL_TIMEOUT="1",
        PGAPPNAME=THROUGH_PROXY,
        OUTBOX_POLL_SECONDS="0.2",
        JOB_PROCESS_SECONDS="3",
        TASK_MAX_RETRIES="1",
        TASK_RETRY_BACKOFF_SECONDS="0.5",
        TASK_RETRY_BACKOFF_MAX_SECONDS="1",
    )
    job = submit_job(actor=alice, title=f"In flight {uuid.uuid4().hex[:6]}")
    wait_for(lambda: Job.objects.filter(id=job.id, progress__gte=20).exists(), message="halfway")
    database_proxy.cut()
    time.sleep(6)
    database_proxy.restore()

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, timeout=60, message="the job to end")
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.COMPLETED, ""), worker.log()
    assert "failed for good" not in worker.log()
