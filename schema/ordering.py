"""Ordering inputs shared by the list queries: a list of {field, direction}."""

from enum import Enum

import strawberry


@strawberry.enum(name="SortDirection")
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


def ordering_keys(order) -> list[str]:
    """`[{field: DUE_DATE, direction: DESC}]` as the selectors' `["-due_date"]`."""
    return [
        ("-" if item.direction is SortDirection.DESC else "") + item.field.value
        for item in order or []
    ]
