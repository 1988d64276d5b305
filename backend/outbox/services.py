"""The transactional outbox: background work is written down in the transaction of the change
that calls for it, and relays hand it to the broker after commit (workers/outbox.py).

A message lives through: pending (`available_at` passed) -> claimed by one relay (its lease
pushes `available_at` ahead, and SELECT ... FOR UPDATE SKIP LOCKED keeps two relays from
claiming one message) -> published (recorded only after the broker accepted it) -> begun by a
worker -> done. One not done by `available_at` is pending again: the broker lost it, or its
worker vanished. Publishing is therefore at least once; `begin` lets the first copy of a
message run and turns later copies away, so a task runs once unless its worker is lost.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from backend.outbox.models import OutboxMessage


def add(*, task_name: str, kwargs: dict, message_id: str = "") -> OutboxMessage:
    """Write down a task to send; call it inside the transaction of the change it follows."""
    return OutboxMessage.objects.create(
        task_name=task_name,
        kwargs=kwargs,
        message_id=message_id or str(uuid.uuid4()),
        available_at=timezone.now(),
    )


def redelivery_delay() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS)


def claim(*, ids=None, limit: int = 100) -> list[OutboxMessage]:
    """Lease up to `limit` pending messages (only those of `ids` if given) to this relay.

    The lease ends OUTBOX_LEASE_SECONDS from now; a relay that dies holding it loses it then.
    """
    now = timezone.now()
    with transaction.atomic():
        pending = OutboxMessage.objects.filter(done_at__isnull=True, available_at__lte=now)
        if ids is not None:
            pending = pending.filter(id__in=ids)
        messages = list(
            pending.select_for_update(skip_locked=True).order_by("available_at", "id")[:limit]
        )
        lease_ends = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        OutboxMessage.objects.filter(id__in=[message.id for message in messages]).update(
            available_at=lease_ends
        )
    return messages


def record_published(message: OutboxMessage) -> None:
    """The broker accepted it: published again only if not done within the redelivery delay."""
    now = timezone.now()
    OutboxMessage.objects.filter(id=message.id, done_at__isnull=True).update(
        publications=F("publications") + 1,
        published_at=now,
        available_at=now + redelivery_delay(),
        last_error="",
    )


def release(messages, *, error: str) -> None:
    """The broker refused or could not be reached: pending again at once."""
    OutboxMessage.objects.filter(
        id__in=[message.id for message in messages], done_at__isnull=True
    ).update(available_at=timezone.now(), last_error=error[:2000])


def give_up(message: OutboxMessage, *, error: str) -> None:
    """Published OUTBOX_MAX_PUBLICATIONS times and never done: not published again."""
    OutboxMessage.objects.filter(id=message.id, done_at__isnull=True).update(
        done_at=timezone.now(), last_error=error[:2000]
    )


def begin(*, message_id: str, again: bool) -> bool:
    """A worker is about to run the task of `message_id`: False if it must not.

    A first delivery runs unless the message is done or another copy of it began within the
    redelivery delay (a copy published twice); `again` (a retry, or the broker's redelivery
    of a message whose worker died) runs. A task that did not come through the outbox (beat's)
    always runs.
    """
    now = timezone.now()
    message = OutboxMessage.objects.filter(message_id=message_id)
    touched = {"started_at": now, "available_at": now + redelivery_delay()}
    if again:
        message.filter(done_at__isnull=True).update(**touched)
        return True
    began = (
        message.filter(done_at__isnull=True)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - redelivery_delay()))
        .update(**touched)
    )
    return bool(began) or not message.exists()


def finish(*, message_id: str) -> None:
    """The task is over (done, or failed for good): its message is never published again."""
    OutboxMessage.objects.filter(message_id=message_id, done_at__isnull=True).update(
        done_at=timezone.now()
    )


def delete_done(*, before) -> int:
    """Forget messages done before `before`; how many went."""
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=before).delete()
    return deleted
