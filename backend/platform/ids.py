"""Object ids as every front door reads them: a positive 64-bit integer, or nothing found."""

# PostgreSQL's bigint: a larger number names no row (and would overflow the query).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id in `value` (an int or its text), or None when no row can have it."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
