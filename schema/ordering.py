"""Ordering inputs shared by the list queries: a list of {field, direction}."""

from enum import Enum

import strawberry


@strawberry.enum(name="SortDirection", description="Which way a list is sorted by a field.")
class SortDirection(Enum):
    ASC = strawberry.enum_value("asc", description="Smallest first: A to Z, oldest first.")
    DESC = strawberry.enum_value("desc", description="Largest first: Z to A, newest first.")


def ordering_keys(order) -> list[str]:
    """`[{field: DUE_DATE, direction: DESC}]` as the selectors' `["-due_date"]`."""
    return [
        ("-" if item.direction is SortDirection.DESC else "") + item.field.value
        for item in order or []
    ]
