"""Unexpected errors: logged in full under the request id, told to the client as that id alone.

Database and driver messages quote SQL, table names and other users' ids; no front door sends
them (GraphQL: schema/errors.py, REST: backend/api/errors.py). The id is the request's own
(backend/platform/request_ids.py), the one on each of its log lines and in its `X-Request-ID`.
"""

import logging

from backend.platform import request_ids

logger = logging.getLogger("stride.errors")


def report(error: BaseException, where: str, details: str = "") -> str:
    """Log `error` with its traceback; the request id to give the client."""
    request_id = request_ids.current_or_new()
    logger.error(
        "Unexpected %s in %s (request id %s)%s",
        type(error).__name__,
        where,
        request_id,
        f"\n{details}" if details else "",
        exc_info=(type(error), error, error.__traceback__),
    )
    return request_id


def client_message(request_id: str) -> str:
    return f"Internal server error; it was logged as request {request_id}."
