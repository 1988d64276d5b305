"""E-mail goes out once per key, survives an SMTP outage, and stops at a permanent refusal."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from backend.jobs.emails import CLAIM_LEASE, send_assignment_email, send_once
from backend.jobs.errors import PermanentDeliveryError
from backend.jobs.models import EmailDelivery
from backend.tasks.services import assign_task, create_task
from tests.workers.conftest import SMTPServer, wait_for

GREETING = {"template": "task_assigned", "subject": "Hello"}


def greeting_context(task):
    return {"task": task, "assignee": task.assignee, "actor": None}


@pytest.fixture
def assigned(alice, bob, project):
    return create_task(actor=alice, title="Review", project_id=project.id, assignee_id=bob.id)


def test_an_email_key_is_sent_once_however_often_it_is_asked_for(assigned, bob):
    for _ in range(3):
        send_assignment_email(
            task_id=assigned.id, assignee_id=bob.id, actor_id=None, version=assigned.version
        )

    assert len(mail.outbox) == 1
    delivery = EmailDelivery.objects.get()
    assert delivery.key == f"task-assigned:{assigned.id}:{assigned.version}"
    assert delivery.sent_at is not None


def test_a_new_assignment_of_the_same_task_is_a_new_email(assigned, alice, bob):
    send_assignment_email(task_id=assigned.id, assignee_id=bob.id, actor_id=None, version=1)
    assign_task(actor=alice, task_id=assigned.id, assignee_id=None)
    task = assign_task(actor=alice, task_id=assigned.id, assignee_id=bob.id)

    send_assignment_email(task_id=task.id, assignee_id=bob.id, actor_id=None, version=task.version)

    assert len(mail.outbox) == 2


def test_no_email_once_the_task_went_to_someone_else_or_was_deleted(assigned, alice, bob):
    assign_task(actor=alice, task_id=assigned.id, assignee_id=alice.id)

    assert not send_assignment_email(
        task_id=assigned.id, assignee_id=bob.id, actor_id=None, version=1
    )
    assert not send_assignment_email(task_id=10**9, assignee_id=bob.id, actor_id=None, version=1)
    assert mail.outbox == []


def test_an_email_claimed_by_another_attempt_is_not_sent_until_its_claim_expires(assigned):
    EmailDelivery.objects.create(
        key="k", recipient="bob@example.com", subject="Hello", claimed_at=timezone.now()
    )
    assert not send_once(
        key="k", to="bob@example.com", context=greeting_context(assigned), **GREETING
    )

    EmailDelivery.objects.update(claimed_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=1))
    assert send_once(key="k", to="bob@example.com", context=greeting_context(assigned), **GREETING)
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get().attempts == 1


class Refusing:
    """An SMTP handler that refuses every recipient, for good or for now."""

    def __init__(self, code):
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"{self.code} No thanks"


@pytest.mark.parametrize(
    ("code", "raised"), [(550, PermanentDeliveryError), (451, smtplib.SMTPRecipientsRefused)]
)
def test_a_refusal_releases_the_claim_and_says_whether_to_retry(
    settings, smtp_port, assigned, code, raised
):
    server = SMTPServer(smtp_port)
    server.inbox = Refusing(code)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
    try:
        with pytest.raises(raised):
            send_once(key="k", to="bob@example.com", context=greeting_context(assigned), **GREETING)
    finally:
        server.stop()

    delivery = EmailDelivery.objects.get()
    assert delivery.sent_at is None and delivery.claimed_at is None
    assert "No thanks" in delivery.last_error


def test_smtp_down_then_up_delivers_exactly_one_email_after_retries(
    start_worker, smtp_port, alice, bob, project
):
    server = SMTPServer(smtp_port)
    start_worker(EMAIL_URL=server.url, TASK_RETRY_BACKOFF_SECONDS="2")
    task = create_task(actor=alice, title="Outage", project_id=project.id)

    assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    # The first attempt meets a closed port; its retry comes 1-2 s later (backoff with jitter).
    wait_for(
        lambda: EmailDelivery.objects.filter(last_error__contains="Connection refused").exists(),
        message="a failed first attempt",
    )
    server.start()
    try:
        (message,) = wait_for(server.inbox.messages, message="the e-mail after a retry")
        assert message["To"] == "bob@example.com"
        delivery = EmailDelivery.objects.get()
        wait_for(lambda: EmailDelivery.objects.filter(sent_at__isnull=False).exists())
        delivery.refresh_from_db()
        assert delivery.attempts >= 2
        assert len(server.inbox.messages()) == 1
    finally:
        server.stop()


def test_smtp_down_for_good_gives_up_after_three_retries(
    start_worker, smtp_port, alice, bob, project
):
    worker = start_worker(
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", TASK_RETRY_BACKOFF_SECONDS="0.2"
    )
    task = create_task(actor=alice, title="Never", project_id=project.id)

    assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)

    wait_for(lambda: "failed for good" in worker.log(), message="the task to give up")
    delivery = EmailDelivery.objects.get()
    assert delivery.attempts == 4
    assert delivery.sent_at is None
    assert worker.log().count("hit a transient failure") == 4
