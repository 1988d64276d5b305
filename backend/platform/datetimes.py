"""Moments as every front door and service hands them to PostgreSQL: in UTC.

PostgreSQL refuses UTC offsets beyond ±15:59, which ISO 8601 (and Python) allow up to ±23:59,
and a moment in year 1 or 9999 may leave Python's range once moved to UTC: both are refused
here as bad input, never sent to the database.
"""

from datetime import UTC, datetime

from django.utils import timezone

OUT_OF_RANGE = "This moment is out of range: dates from year 1 to 9999 (UTC) are accepted."


def in_utc(value: datetime) -> datetime:
    """`value` (naive means UTC) moved to UTC; ValueError when it falls outside years 1-9999."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None
