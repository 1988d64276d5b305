"""Offset pages of root lists: `pagination` checked, then the page made from a QuerySet.

A root list is a plain Strawberry field whose resolver returns `offset_page(...)`, rather than
a strawberry-django `offset_paginated` field: that field's machinery (its queryset hooks, the
pagination extension, an extension to check the arguments) did nothing our selectors had not
done already, for ~1.5% of the instructions of a whole request for a page of 50 tasks
(bench/RESULTS.md). The GraphQL schema is the same.
"""

import strawberry
from graphql import GraphQLError
from strawberry_django.pagination import OffsetPaginationInput as PlainOffsetPaginationInput

from schema.core import user_of
from schema.counting import OffsetPaginated
from schema.fast_fields import PlanKey


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


def offset_page(build, *, info, pagination, repeatable_sql: bool = True):
    """The page that `pagination` asks for of the QuerySet `build()` makes, as the field's
    return type (an `OffsetPaginated`).

    Refuses a negative `offset` or `limit` with a clear error: Django cannot slice a QuerySet
    from a negative index (a server error otherwise), and strawberry-django would quietly read
    a negative limit as "the maximum"; the Relay connection refuses a negative `first` too, so
    both list styles agree.

    Stride's own `OffsetPaginated` builds the QuerySet only when a field needs it, and may
    read a plain page with SQL remembered from an identical request (`UnfetchedPage`): `build`
    must then depend on nothing but the field's arguments and what the list's visibility rule
    reads of the viewer (`_viewer_key`). A list that also depends on the clock (which tasks
    are overdue) says `repeatable_sql=False`.
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
    page_type = info.return_type
    if not issubclass(page_type, OffsetPaginated):
        return page_type.resolve_paginated(build(), info=info, pagination=pagination)
    return page_type.resolve_planned(
        build,
        info=info,
        pagination=pagination,
        plan_key=_plan_key(info) if repeatable_sql else None,
    )


def _plan_key(info) -> PlanKey:
    """Everything a root list's SQL depends on: the field's nodes in the (prepared, shared)
    document, which hold its arguments, the variables they may read, and the viewer."""
    # graphql-core's resolve info: Strawberry's `Info` does not expose the field's nodes.
    raw = info._raw_info
    return PlanKey.of(
        raw.operation, raw.field_nodes, raw.variable_values, _viewer_key(user_of(info))
    )


def _viewer_key(user) -> tuple:
    """What the lists' visibility rules read of the viewer (`TaskQuerySet.visible_to`,
    `ProjectQuerySet.visible_to`): a rule that reads more must add it here."""
    return (user.pk, user.is_authenticated, user.is_staff)
