"""Publishing the outbox (backend/outbox/): background work reaches the broker once the change
that called for it has committed, whenever the broker is there to take it.

Two ways, both through `relay()`: right after commit, in the process that made the change (the
fast path: no added latency while the broker is up), and from a relay thread in every worker
process, which publishes what the fast path could not (the broker was down, the process died
after commit) and what the broker lost. Relays run wherever work is done, so no single process
(beat, one worker) has to survive for work to move.
"""

import contextlib
import logging
import random
import threading
import time

from celery.signals import worker_process_init, worker_process_shutdown
from django.conf import settings
from django.db import DatabaseError, InterfaceError, close_old_connections, transaction

from backend.outbox import services
from backend.outbox.models import OutboxMessage
from workers.celery import app

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


class BrokerUnavailable(Exception):
    """The broker did not accept a message; the rest of the batch went back to pending."""


def enqueue(task_name: str, *, message_id: str = "", **kwargs) -> OutboxMessage:
    """Send the task `task_name` with `kwargs` once the current transaction commits: written
    down with the change, published after it, even if the broker is away until later.

    `message_id` becomes the Celery task id (a job's, which its client already knows).
    """
    message = services.add(task_name=task_name, kwargs=kwargs, message_id=message_id)
    transaction.on_commit(lambda: publish_after_commit(message.id), robust=True)
    return message


# While the broker is known to be away, the fast path leaves publishing to the relays rather
# than make each request wait for a connection that fails (per process, monotonic seconds).
_skip_fast_path_until = 0.0


def publish_after_commit(message_id: int) -> None:
    global _skip_fast_path_until
    if time.monotonic() < _skip_fast_path_until:
        return
    try:
        relay(ids=[message_id])
    except BrokerUnavailable:
        _skip_fast_path_until = time.monotonic() + settings.OUTBOX_POLL_SECONDS * 5
    except (DatabaseError, InterfaceError) as exc:
        # The change is committed and its message with it: a relay publishes it later.
        logger.warning("Outbox: message %s left to the relays: %r", message_id, exc)


def relay(*, ids=None, limit: int = BATCH_SIZE) -> int:
    """Publish pending messages (those of `ids` only, if given); how many the broker took.

    Raises BrokerUnavailable when the broker refused one: it and the rest stay pending.
    """
    messages = services.claim(ids=ids, limit=limit)
    published = 0
    for index, message in enumerate(messages):
        task = _task(message.task_name)
        if task is None or message.publications >= settings.OUTBOX_MAX_PUBLICATIONS:
            _give_up(message, task)
            continue
        try:
            # retry=False: a broker that is away fails at once; the message stays pending.
            task.apply_async(kwargs=message.kwargs, task_id=message.message_id, retry=False)
        except Exception as exc:
            services.release(messages[index:], error=f"{type(exc).__name__}: {exc}")
            raise BrokerUnavailable(str(exc)) from exc
        services.record_published(message)
        published += 1
    return published


_importing_tasks = threading.Lock()


def _task(name: str):
    if name not in app.tasks:
        # A process that has not needed this task yet (a web process, beat's reminders); one
        # thread imports, the others wait for the modules to be complete.
        with _importing_tasks:
            app.loader.import_default_modules()
    return app.tasks.get(name)


def _give_up(message: OutboxMessage, task) -> None:
    if task is None:
        error = f"No task is named {message.task_name!r}."
    else:
        error = f"Published {message.publications} times and never done."
    logger.error("Outbox: giving up %s (%s): %s", message.task_name, message.message_id, error)
    with transaction.atomic():
        services.give_up(message, error=error)
        if task is not None:
            task.on_undelivered(kwargs=message.kwargs, error=error)


class Relay(threading.Thread):
    """Publishes pending messages every OUTBOX_POLL_SECONDS, waiting longer (doubling, up to
    ten times that, with jitter) while the broker or the database is away."""

    def __init__(self):
        super().__init__(name="outbox-relay", daemon=True)
        self.stopping = threading.Event()
        self.failing_since: float | None = None

    def run(self):
        interval = settings.OUTBOX_POLL_SECONDS
        delay = interval
        while not self.stopping.wait(delay):
            try:
                published = relay()
            except (BrokerUnavailable, DatabaseError, InterfaceError) as exc:
                self._failed(exc)
                delay = min(interval * 10, max(delay, interval) * 2) * random.uniform(0.8, 1.2)  # noqa: S311
            except Exception:
                logger.exception("Outbox relay failed")
                delay = interval * 10
            else:
                if self.failing_since is not None:
                    logger.warning(
                        "Outbox relay publishing again after %.0f s",
                        time.monotonic() - self.failing_since,
                    )
                    self.failing_since = None
                # A full batch means more are waiting: go on at once.
                delay = 0 if published == BATCH_SIZE else interval
            # Hands the connection back to the pool, and drops a broken one.
            with contextlib.suppress(DatabaseError, InterfaceError):
                close_old_connections()

    def _failed(self, exc: Exception) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()
            logger.warning("Outbox relay cannot publish, retrying with backoff: %r", exc)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)


_relay: Relay | None = None


@worker_process_init.connect
def start_relay(**_):
    """Each pool process of a worker runs a relay: several relays at once are safe (leases),
    and one dies only with its process, which the worker replaces."""
    global _relay
    _relay = Relay()
    _relay.start()


@worker_process_shutdown.connect
def stop_relay(**_):
    if _relay is not None:
        _relay.stop()
