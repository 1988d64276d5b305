"""Offset pages of root lists: `pagination` checked, then the page made from a QuerySet.

A root list is a plain Strawberry field whose resolver returns `offset_page(...)`, rather than
a strawberry-django `offset_paginated` field: that field's machinery (its queryset hooks, the
pagination extension, an extension to check the arguments) did nothing our selectors had not
done already, for ~1.5% of the instructions of a whole request for a page of 50 tasks
(bench/RESULTS.md). The GraphQL schema is the same.
"""

import strawberry
from graphql import GraphQLError
from strawberry_django.pagination import OffsetPaginated
from strawberry_django.pagination import OffsetPaginationInput as PlainOffsetPaginationInput


@strawberry.input(name="OffsetPaginationInput")
class OffsetPaginationInput(PlainOffsetPaginationInput):
    """strawberry-django's input, built straight from what graphql-core coerced.

    Strawberry's generic conversion of an input (per field: its GraphQL name, its type resolved,
    a conversion) cost ~2% of a whole list request for two integers.
    """


def _from_coerced(cls, value, context):
    # graphql-core has checked both fields against the schema and filled in the offset's
    # default; an absent limit stays UNSET, as the class declares.
    return cls(**value)


OffsetPaginationInput.__strawberry_definition__.from_input = _from_coerced

# The argument every root list takes; UNSET, not None, keeps it without a default in the schema
# (as strawberry-django declares it).
NO_PAGINATION: OffsetPaginationInput | None = strawberry.UNSET


def offset_page(queryset, *, info, pagination) -> OffsetPaginated:
    """The page of `queryset` that `pagination` asks for, as the field's return type (an
    `OffsetPaginated`).

    Refuses a negative `offset` or `limit` with a clear error: Django cannot slice a QuerySet
    from a negative index (a server error otherwise), and strawberry-django would quietly read
    a negative limit as "the maximum"; the Relay connection refuses a negative `first` too, so
    both list styles agree.
    """
    if not pagination:
        pagination = None
    for name in ("offset", "limit"):
        value = getattr(pagination, name, None)
        if isinstance(value, int) and value < 0:
            raise GraphQLError(
                f"pagination.{name} must be zero or more, got {value}.",
                extensions={"code": "BAD_USER_INPUT"},
            )
    return info.return_type.resolve_paginated(queryset, info=info, pagination=pagination)
