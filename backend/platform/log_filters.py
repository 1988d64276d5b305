"""Logging filters: access logs without query strings, and the request id on every record.

Query strings carry tokens (`/ws/notifications/?token=...`, the only way a browser WebSocket
can send one) and search text; an access log keeps them for anyone who reads it. The path alone
says what was asked.
"""

import logging
import re

from backend.platform import request_ids

_QUERY = re.compile(r"\?[^\s\"']*")


def _without_query(value):
    return _QUERY.sub("", value) if isinstance(value, str) else value


class DropQueryStrings(logging.Filter):
    """Removes `?...` from an access log record's arguments (a tuple, as Uvicorn's, or a dict)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {name: _without_query(value) for name, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_without_query(value) for value in record.args)
        elif not record.args:
            record.msg = _without_query(record.msg)
        return True


class WithRequestId(logging.Filter):
    """Sets `record.request_id`: the current request's, socket's or task's, "-" outside them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_ids.current() or "-"
        return True
