"""RabbitMQ as the broker (CELERY_BROKER_URL=amqp://...): the same tasks, the same guarantees."""

import os

import pytest

from backend.jobs.models import Job, JobStatus
from backend.jobs.services import submit_job
from backend.tasks.services import create_task
from tests.workers.conftest import wait_for
from workers import celery_app
from workers.emails import send_task_assigned_email
from workers.jobs import run_process_job

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


@pytest.fixture
def rabbitmq(real_broker):
    """A connection to RabbitMQ to send through, on a queue emptied first."""
    with celery_app.connection_for_write(RABBITMQ_URL) as connection:
        queue = celery_app.amqp.queues[real_broker](connection.default_channel)
        queue.declare()
        queue.purge()
        yield connection


def test_assignment_email_through_rabbitmq(
    start_worker, rabbitmq, smtp_server, alice, bob, project
):
    start_worker(broker_url=RABBITMQ_URL, EMAIL_URL=smtp_server.url)
    task = create_task(actor=alice, title="Via AMQP", project_id=project.id, assignee_id=bob.id)

    send_task_assigned_email.apply_async(
        kwargs={"task_id": task.id, "assignee_id": bob.id, "actor_id": alice.id,
                "version": task.version},
        connection=rabbitmq,
    )  # fmt: skip

    (message,) = wait_for(smtp_server.inbox.messages, message="the e-mail")
    assert message["Subject"] == "[Stride] You were assigned: Via AMQP"


def test_a_killed_worker_process_hands_its_job_back_to_rabbitmq(start_worker, rabbitmq, alice):
    worker = start_worker(broker_url=RABBITMQ_URL, JOB_PROCESS_SECONDS="3")
    job = submit_job(actor=alice, title="Survivor")
    run_process_job.apply_async(
        kwargs={"job_id": job.id}, task_id=job.celery_task_id, connection=rabbitmq
    )
    wait_for(lambda: Job.objects.filter(id=job.id, progress__gte=20).exists(), message="halfway")

    worker.kill_child()

    wait_for(lambda: Job.objects.get(id=job.id).is_finished, timeout=40, message="completion")
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert job.attempts == 2
