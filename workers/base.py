"""What every Stride task shares: retrying transient failures, and saying when one gives up."""

import logging
import random
import smtplib
import socket

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from backend.jobs.errors import TransientError

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
    """Retries TRANSIENT_ERRORS up to TASK_MAX_RETRIES times with backoff; logs final failures."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except TRANSIENT_ERRORS as exc:
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
                max_retries=settings.TASK_MAX_RETRIES,
            )

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error(
            "Task %s[%s] failed for good (args=%r, kwargs=%r): %r",
            self.name,
            task_id,
            args,
            kwargs,
            exc,
        )
