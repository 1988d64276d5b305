"""What every Stride task shares: running once per outbox message, retrying transient failures,
and saying when one gives up."""

import logging
import random
import smtplib
import socket

from celery import Task
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError

from backend.jobs.errors import TransientError
from backend.outbox import services as outbox
from backend.platform.outages import unavailable_service

logger = logging.getLogger(__name__)

# Failures that another attempt a little later may not meet: the network, the mail server,
# the database connection. Programming errors and refusals (PermanentDeliveryError) are not.
TRANSIENT_ERRORS = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    smtplib.SMTPException,
    OperationalError,
    InterfaceError,
    TransientError,
)


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with "equal jitter": half of the delay is fixed, half random, so that
    retries spread out and yet never come back at once."""
    ceiling = min(
        settings.TASK_RETRY_BACKOFF_MAX_SECONDS, settings.TASK_RETRY_BACKOFF_SECONDS * 2**retries
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not a secret


class StrideTask(Task):
    """Runs once per outbox message (a copy published twice is turned away); retries
    TRANSIENT_ERRORS up to TASK_MAX_RETRIES times with backoff (an outage of the database or
    Redis for as long as it lasts); logs final failures."""

    def __call__(self, *args, **kwargs):
        message_id = self.request.id  # None when called as a plain function
        # A retry, or the broker handing back a message whose worker died: the same attempt
        # going on, which runs, unlike a second copy of a message the outbox published twice.
        again = self.request.retries > 0 or bool(
            (self.request.delivery_info or {}).get("redelivered")
        )
        try:
            if message_id and not outbox.begin(message_id=message_id, again=again):
                logger.info("Task %s[%s] is done or running already", self.name, message_id)
                return None
            result = super().__call__(*args, **kwargs)
        except TRANSIENT_ERRORS as exc:
            # A service that is down comes back: waiting for it uses up no attempt, however
            # long the outage (the backoff stays under TASK_RETRY_BACKOFF_MAX_SECONDS).
            outage = unavailable_service(exc) is not None
            logger.warning(
                "Task %s[%s] hit a transient failure (attempt %d): %r",
                self.name,
                self.request.id,
                self.request.retries + 1,
                exc,
            )
            raise self.retry(
                exc=exc,
                countdown=backoff_seconds(self.request.retries),
                # (retry() reads None as "the task's default": one more than done so far instead)
                max_retries=self.request.retries + 1 if outage else settings.TASK_MAX_RETRIES,
            )
        self._finish(message_id)
        return result

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error(
            "Task %s[%s] failed for good (args=%r, kwargs=%r): %r",
            self.name,
            task_id,
            args,
            kwargs,
            exc,
        )
        self._finish(task_id)

    def on_undelivered(self, *, kwargs, error):
        """The outbox gave up publishing this task (workers/outbox.py); the log says so."""

    def _finish(self, task_id):
        if not task_id:
            return
        try:
            outbox.finish(message_id=task_id)
        except DatabaseError as exc:
            # The work is done; at worst its message is published again and turned away.
            logger.warning("Task %s[%s] could not be marked done: %r", self.name, task_id, exc)
