"""E-mail that goes out at most once per key, with a readable text body and an HTML one."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from backend.accounts.models import User
from backend.jobs.errors import PermanentDeliveryError
from backend.jobs.models import EmailDelivery
from backend.tasks.models import Task

logger = logging.getLogger(__name__)

# How long a claim keeps other attempts away. A send takes at most a few EMAIL_TIMEOUTs; a claim
# older than this belongs to a worker that died before it could mark the e-mail sent or failed.
CLAIM_LEASE = timedelta(minutes=15)


def send_once(*, key: str, to: str, subject: str, template: str, context: dict) -> bool:
    """Send the e-mail named `key` unless it went out already; True when it was sent now.

    The claim is committed before the SMTP conversation starts, so two attempts (a retry racing
    a redelivery) never both send; a failed send releases the claim for the next retry. If the
    worker dies after the server accepted the message but before it was marked sent, the claim
    simply expires: at most once beats twice for a notification.
    """
    if not _claim(key=key, to=to, subject=subject):
        logger.info("E-mail %s already sent or being sent; not sending again", key)
        return False
    context = {**context, "site_url": settings.SITE_URL}
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"email/{template}.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    try:
        message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
        _release(key, exc)
        if _is_permanent(exc):
            raise PermanentDeliveryError(f"{to} refused: {exc}") from exc
        raise
    except Exception as exc:
        _release(key, exc)
        raise
    EmailDelivery.objects.filter(key=key).update(sent_at=timezone.now(), last_error="")
    return True


def _claim(*, key, to, subject) -> bool:
    now = timezone.now()
    try:
        with transaction.atomic():
            EmailDelivery.objects.create(
                key=key, recipient=to, subject=subject, claimed_at=now, attempts=1
            )
        return True
    except IntegrityError:
        pass
    reclaimed = (
        EmailDelivery.objects.filter(key=key, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    return reclaimed == 1


def _release(key, exc) -> None:
    EmailDelivery.objects.filter(key=key, sent_at__isnull=True).update(
        claimed_at=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def _is_permanent(exc) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return exc.smtp_code >= 500


def send_assignment_email(*, task_id: int, assignee_id: int, actor_id: int | None, version: int):
    """E-mail the assignee of a task about this assignment, if they still hold it and want it.

    The key names the assignment by the task's version, so being assigned the same task again
    later is a new e-mail, while retries of this one are not.
    """
    task = Task.objects.select_related("project", "assignee").filter(id=task_id).first()
    if task is None or task.assignee_id != assignee_id:
        return False
    assignee = task.assignee
    if not assignee.email_on_assignment or not assignee.email:
        return False
    actor = User.objects.filter(id=actor_id).first() if actor_id else None
    return send_once(
        key=f"task-assigned:{task_id}:{version}",
        to=assignee.email,
        subject=f"[Stride] You were assigned: {task.title}",
        template="task_assigned",
        context={"task": task, "assignee": assignee, "actor": actor},
    )
