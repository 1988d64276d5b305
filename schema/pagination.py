"""Offset pages of root lists: `pagination` checked, then the page made from a QuerySet.

A root list is a plain Strawberry field whose resolver returns `offset_page(...)` (or, for
tasks and projects, `planned_page(...)`), rather than a strawberry-django `offset_paginated`
field: that field's machinery (its queryset hooks, the pagination extension, an extension to
check the arguments) did nothing our selectors had not done already, for ~1.5% of the
instructions of a whole request for a page of 50 tasks (bench/RESULTS.md). The GraphQL schema
is the same.
"""

from typing import NamedTuple

import strawberry
from graphql import GraphQLError
from strawberry_django.pagination import OffsetPaginationInput as PlainOffsetPaginationInput

from schema.core import user_of
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


def offset_page(queryset, *, info, pagination):
    """The page of `queryset` that `pagination` asks for, as the field's return type (an
    `OffsetPaginated`)."""
    return info.return_type.resolve_paginated(queryset, info=info, pagination=_checked(pagination))


class Viewer(NamedTuple):
    """All that the QuerySet of a `planned_page` may read of the signed-in user: the
    visibility rules read no more (`TaskQuerySet.visible_to`, `ProjectQuerySet.visible_to`).

    So two users with the same flags get the same SQL but for their ids, and one list's SQL,
    its viewer's id swapped, serves every such user (`UnfetchedPage`). A rule that comes to
    read more of the user fails on a Viewer, loudly, rather than sharing SQL it should not.
    """

    pk: int
    is_authenticated: bool
    is_staff: bool

    @classmethod
    def of(cls, user) -> "Viewer":
        return cls(user.pk, user.is_authenticated, user.is_staff)


def planned_page(build, *, info, pagination, repeatable_sql: bool = True):
    """The page that `pagination` asks for of the QuerySet `build(viewer)` makes, where
    `viewer` is the signed-in user's `Viewer`, as the field's return type (Stride's
    `OffsetPaginated`).

    The QuerySet is built only when a field needs it: a plain page (columns and joined rows)
    of a list read twice before by viewers with the same flags runs that SQL with this
    viewer's id and this page's window (`UnfetchedPage`). So `build` must depend on nothing
    but the viewer and the field's arguments; a list that also depends on the clock (which
    tasks are overdue) says `repeatable_sql=False`.
    """
    viewer = Viewer.of(user_of(info))
    return info.return_type.resolve_planned(
        build,
        info=info,
        pagination=_checked(pagination),
        viewer=viewer,
        plan_key=_plan_key(info, viewer) if repeatable_sql else None,
    )


def _checked(pagination):
    """Refuses a negative `offset` or `limit` with a clear error: Django cannot slice a QuerySet
    from a negative index (a server error otherwise), and strawberry-django would quietly read
    a negative limit as "the maximum"; the Relay connection refuses a negative `first` too, so
    both list styles agree."""
    if not pagination:
        return None
    for name in ("offset", "limit"):
        value = getattr(pagination, name, None)
        if isinstance(value, int) and value < 0:
            raise GraphQLError(
                f"pagination.{name} must be zero or more, got {value}.",
                extensions={"code": "BAD_USER_INPUT"},
            )
    return pagination


def _plan_key(info, viewer: Viewer) -> PlanKey:
    """Everything a root list's SQL depends on but the viewer's id and the page's window: the
    field's nodes in the (prepared, shared) document, which hold its arguments, the variables
    its other arguments read, and the viewer's flags."""
    # graphql-core's resolve info: Strawberry's `Info` does not expose the field's nodes.
    raw = info._raw_info
    return PlanKey.of(
        raw.operation,
        raw.field_nodes,
        raw.variable_values,
        (viewer.is_authenticated, viewer.is_staff),
        window_argument="pagination",
    )
