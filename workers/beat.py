"""Beat's scheduler: django-celery-beat's, made to ride out a PostgreSQL outage.

DatabaseScheduler already survives a failed change check or sync, but its full read of the
schedule (at start, and every five minutes) lets the database error through, and beat exits:
started while PostgreSQL is down, or crossing a five-minute mark during an outage.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, InterfaceError
from django_celery_beat.schedulers import SCHEDULE_SYNC_MAX_INTERVAL, DatabaseScheduler

logger = logging.getLogger(__name__)


class ResilientDatabaseScheduler(DatabaseScheduler):
    """Keeps the schedule it has (none before the first read) while the database is away, and
    reads it again at the next tick until a read succeeds."""

    def all_as_schedule(self):
        try:
            return super().all_as_schedule()
        except (DatabaseError, InterfaceError) as exc:
            logger.warning("Beat could not read its schedule, keeping the last one: %r", exc)
            # The caller has just recorded a full read; backdating it asks for another next tick.
            self._last_full_sync -= timedelta(seconds=SCHEDULE_SYNC_MAX_INTERVAL)
            return self._schedule or {}
