"""Offset pages of root lists: strawberry-django's `OffsetPaginated`, planned by its optimizer."""

import base64
from collections.abc import Callable

import strawberry
from django.conf import settings
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.relay.types import PREFIX as CURSOR_PREFIX
from strawberry_django.optimizer import optimize
from strawberry_django.pagination import NodeType, OffsetPaginationInfo, OffsetPaginationInput
from strawberry_django.pagination import OffsetPaginated as PlainOffsetPaginated

from backend.platform.errors import ErrorCode
from schema.adapters import describe

describe(
    OffsetPaginationInput,
    "Which page of a list to read. A `limit` over 100 (the server's GRAPHQL_MAX_PAGE_SIZE) or a "
    "negative `offset` or `limit` is refused with BAD_USER_INPUT.",
    offset="How many items to skip from the start of the list.",
    limit="How many items to return: 20 when omitted (GRAPHQL_DEFAULT_PAGE_SIZE), at most 100.",
)
describe(
    OffsetPaginationInfo,
    "The page a list answered with.",
    offset="How many items were skipped.",
    limit="How many items the page holds at most (the default when none was asked for).",
)

# UNSET, not None: the argument has no default in the schema, as strawberry-django declares it.
NO_PAGINATION: OffsetPaginationInput | None = strawberry.UNSET


# Same name as strawberry-django's generic, so that `OffsetPaginated[TaskType]` is still
# `TaskOffsetPaginated` in the schema.
@strawberry.type(name="OffsetPaginated")
class OffsetPaginated(PlainOffsetPaginated[NodeType]):
    counter: strawberry.Private[Callable[[], int] | None] = None

    def get_total_count(self) -> int:
        return self.counter() if self.counter is not None else super().get_total_count()


def offset_page(queryset, *, info: strawberry.Info, pagination, count=None) -> OffsetPaginated:
    """The page of `queryset` that `pagination` asks for, as the field's `OffsetPaginated`;
    `count()`, when given, is what `totalCount` answers."""
    for name in ("offset", "limit"):
        value = getattr(pagination, name, None)
        # Django cannot slice from a negative index, and strawberry-django would quietly read
        # a negative limit as "the maximum".
        if isinstance(value, int) and value < 0:
            raise GraphQLError(
                f"pagination.{name} must be zero or more, got {value}.",
                extensions={"code": ErrorCode.BAD_USER_INPUT},
            )
    limit = getattr(pagination, "limit", None)
    # Refused rather than cut, like a cursor page's `first` and REST's `page_size`.
    if isinstance(limit, int) and limit > settings.GRAPHQL_MAX_PAGE_SIZE:
        raise GraphQLError(
            f"pagination.limit cannot be higher than {settings.GRAPHQL_MAX_PAGE_SIZE}.",
            extensions={"code": ErrorCode.BAD_USER_INPUT},
        )
    return info.return_type(
        queryset=optimize(queryset, info),
        pagination=pagination or OffsetPaginationInput(),
        counter=count,
    )


class ValidCursors(FieldExtension):
    """A Relay `after`/`before` this list never gave is the client's mistake: BAD_USER_INPUT,
    where Strawberry's decoding would fail with a bare ValueError (an internal error)."""

    def resolve(self, next_, source, info, **kwargs):
        for name in ("after", "before"):
            cursor = kwargs.get(name)
            if cursor is None:
                continue
            try:
                decoded = base64.b64decode(cursor, validate=True).decode()
                prefix, _, position = decoded.partition(":")
                valid = prefix == CURSOR_PREFIX and position.isdigit()
            except (ValueError, UnicodeDecodeError):
                valid = False
            if not valid:
                raise GraphQLError(
                    f"'{name}' is not a cursor of this list.",
                    extensions={"code": ErrorCode.BAD_USER_INPUT},
                )
        return next_(source, info, **kwargs)


describe(
    OffsetPaginated,
    "One page of a list, with the total number of items in the whole list.",
    page_info="The offset and limit this page was read with.",
    total_count="How many items the whole list holds, across all pages.",
    results="The items of this page, in the list's order.",
)
