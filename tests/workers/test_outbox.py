"""The outbox of background work (backend/outbox/, workers/outbox.py): written with the change
that calls for it, published after commit or by a relay once the broker is back, on a real
PostgreSQL and a real Redis the test owns; never published twice by two relays, never run
twice."""

import json
import threading
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from backend.jobs.models import JobStatus
from backend.jobs.services import submit_job
from backend.outbox import services
from backend.outbox.models import OutboxMessage
from backend.tasks.services import assign_task, create_task
from workers.emails import send_task_assigned_email
from workers.outbox import BrokerUnavailable, relay


def queued(broker, queue) -> list[dict]:
    """The messages waiting in the broker's queue (kombu's Redis layout: a list per queue)."""
    client = redis.Redis.from_url(broker.url)
    return [json.loads(raw) for raw in client.lrange(queue, 0, -1)]


def test_background_work_is_written_with_the_change_or_not_at_all(alice, bob, project):
    task = create_task(actor=alice, title="Ship", project_id=project.id)

    with pytest.raises(RuntimeError), transaction.atomic():
        assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)
        assert OutboxMessage.objects.count() == 1
        raise RuntimeError("the change fails after the assignment")
    assert not OutboxMessage.objects.exists()

    assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    (message,) = OutboxMessage.objects.all()
    assert message.task_name == "stride.emails.task_assigned"
    assert message.kwargs == {
        "task_id": task.id,
        "assignee_id": bob.id,
        "actor_id": alice.id,
        "version": 2,
    }
    assert message.done_at is None


def test_after_commit_the_task_runs_once_and_a_second_copy_is_turned_away(
    alice, bob, project, django_capture_on_commit_callbacks
):
    task = create_task(actor=alice, title="Ship", project_id=project.id)
    with django_capture_on_commit_callbacks(execute=True):
        assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)

    assert len(mail.outbox) == 1
    message = OutboxMessage.objects.get()
    assert message.done_at is not None
    assert relay() == 0  # nothing left to publish

    # The same message delivered again (published twice): it does not run again.
    send_task_assigned_email.apply(kwargs=message.kwargs, task_id=message.message_id)
    assert len(mail.outbox) == 1


def test_a_copy_begins_only_once_while_retries_and_redeliveries_go_on(alice):
    message = services.add(task_name="stride.jobs.process", kwargs={"job_id": 1})

    assert services.begin(message_id=message.message_id, again=False)
    assert not services.begin(message_id=message.message_id, again=False)  # a second copy
    assert services.begin(message_id=message.message_id, again=True)  # a retry, a redelivery
    # Begun longer ago than the redelivery delay: the worker that had it is gone.
    OutboxMessage.objects.filter(id=message.id).update(
        started_at=timezone.now() - services.redelivery_delay() - timedelta(seconds=1)
    )
    assert services.begin(message_id=message.message_id, again=False)

    services.finish(message_id=message.message_id)
    assert not services.begin(message_id=message.message_id, again=False)
    assert services.begin(message_id="from-beat-not-the-outbox", again=False)


def test_work_enqueued_while_the_broker_is_down_is_published_once_it_returns(
    private_broker, real_broker, alice, bob, project
):
    task = create_task(actor=alice, title="Ship", project_id=project.id)
    private_broker.stop()

    # The write succeeds; its e-mail waits in the outbox.
    assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    message = OutboxMessage.objects.get()
    assert message.publications == 0 and message.last_error
    with pytest.raises(BrokerUnavailable):
        relay()

    private_broker.start()
    assert relay() == 1

    (sent,) = queued(private_broker, real_broker)
    assert sent["headers"]["id"] == message.message_id
    assert sent["headers"]["task"] == "stride.emails.task_assigned"
    message.refresh_from_db()
    assert message.publications == 1 and message.last_error == ""
    assert message.done_at is None  # until a worker ran it
    assert relay() == 0


def test_two_relays_never_publish_one_message_twice(private_broker, real_broker):
    with transaction.atomic():
        for number in range(300):
            services.add(task_name="stride.reminders.send", kwargs={"reminder_id": number})
    counts = []

    def run_relay():
        published = 0
        try:
            while batch := relay(limit=7):
                published += batch
        finally:
            connection.close()
        counts.append(published)

    relays = [threading.Thread(target=run_relay) for _ in range(4)]
    for thread in relays:
        thread.start()
    for thread in relays:
        thread.join()

    ids = [sent["headers"]["id"] for sent in queued(private_broker, real_broker)]
    assert len(ids) == len(set(ids)) == 300
    assert sum(counts) == 300
    assert len([count for count in counts if count]) > 1  # they did share the work
    assert set(OutboxMessage.objects.values_list("publications", flat=True)) == {1}


def test_a_message_never_done_is_published_again_then_given_up_and_its_job_fails(
    private_broker, real_broker, alice, settings
):
    settings.OUTBOX_MAX_PUBLICATIONS = 2
    job = submit_job(actor=alice, title="Lost twice")  # no worker will take it
    relay()  # published now, unless right after commit already
    message = OutboxMessage.objects.get(message_id=job.celery_task_id)
    assert message.publications == 1

    def redelivery_delay_passes():
        OutboxMessage.objects.filter(id=message.id).update(available_at=timezone.now())

    assert relay() == 0  # within the redelivery delay: left alone
    redelivery_delay_passes()
    assert relay() == 1  # the broker lost it (or its worker vanished): published again
    redelivery_delay_passes()
    assert relay() == 0  # twice is the maximum here: given up

    message.refresh_from_db()
    assert message.done_at is not None and "never done" in message.last_error
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("No worker finished this job")
    assert len(queued(private_broker, real_broker)) == 2
