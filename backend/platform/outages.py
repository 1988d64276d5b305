"""Telling an outage from a bug: the one place that decides an exception means PostgreSQL or
Redis cannot be reached, for every front door.

Such a failure is not ours to log as a bug nor the client's fault: GraphQL answers it with
SERVICE_UNAVAILABLE, REST and the web pages with HTTP 503, each with `Retry-After`; WebSockets
close with 1013 (Try Again Later). Errors PostgreSQL reports about a statement (a deadlock, a
cancelled query, a constraint) are not outages, even when psycopg files them under
OperationalError.
"""

import psycopg
import redis
from psycopg_pool import PoolTimeout

from backend.platform.errors import ErrorCode

DATABASE = "database"
REDIS = "Redis"

# What clients are told to wait: about how long a restarted service takes to answer again.
RETRY_AFTER_SECONDS = 5

# PostgreSQL's own words for "not now": SQLSTATE class 08 (connection exceptions), and 53300
# (too many connections), 57P01-57P03 (shutting down, crashed, starting up).
_UNAVAILABLE_SQLSTATES = {"53300", "57P01", "57P02", "57P03"}


def unavailable_service(error: BaseException | None) -> str | None:
    """DATABASE or REDIS when `error`, or an error it was raised from, says that service cannot
    be reached; None for any other error. Django's database errors wrap psycopg's."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, PoolTimeout):
            # No connection came free in DATABASE_POOL_TIMEOUT: PostgreSQL is down, or so slow
            # that waiting longer would only pile requests up.
            return DATABASE
        if isinstance(error, psycopg.Error) and _connection_failed(error):
            return DATABASE
        if isinstance(error, redis.ConnectionError | redis.TimeoutError):
            return REDIS
        # Only what an error was raised from: one raised while handling an outage (a bug in
        # an `except` block) stays a bug.
        error = error.__cause__
    return None


def _connection_failed(error: psycopg.Error) -> bool:
    if not isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    # Without a SQLSTATE the error is the client's own: refused, reset or closed connection.
    state = error.sqlstate
    return state is None or state.startswith("08") or state in _UNAVAILABLE_SQLSTATES


class ServiceUnavailable(Exception):
    """A service Stride needs is down: the request may succeed if sent again later."""

    code = ErrorCode.SERVICE_UNAVAILABLE

    def __init__(self, service: str):
        super().__init__(
            f"The {service} is unavailable; try again in {RETRY_AFTER_SECONDS} seconds."
        )
        self.service = service

    @property
    def retry_after(self) -> str:
        return str(RETRY_AFTER_SECONDS)


def as_unavailable(error: BaseException | None) -> ServiceUnavailable | None:
    """The ServiceUnavailable `error` amounts to, or None when it is not an outage."""
    if isinstance(error, ServiceUnavailable):
        return error
    service = unavailable_service(error)
    return None if service is None else ServiceUnavailable(service)
