"""Strawberry's DateTime, with every value moved to UTC as it is read (the same text in SDL).

Moved to UTC, a moment never carries an offset PostgreSQL refuses; one outside years 1-9999
once moved is refused as the variable's bad value (backend/platform/datetimes.py).
"""

from dataclasses import replace
from datetime import datetime

from strawberry.schema.types.base_scalars import DateTimeDefinition

from backend.platform.datetimes import in_utc


def _parse(value):
    moment = DateTimeDefinition.parse_value(value)
    return in_utc(moment) if isinstance(moment, datetime) else moment


SCALAR_OVERRIDES = {datetime: replace(DateTimeDefinition, parse_value=_parse)}
