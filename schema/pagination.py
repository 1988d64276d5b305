"""Offset pages of root lists: strawberry-django's `OffsetPaginated`, with `pagination` checked.

A root list is a `strawberry_django.offset_paginated` field whose resolver returns its
selector's QuerySet: strawberry-django slices it, the optimizer plans `results`, and
`totalCount` counts the QuerySet.
"""

import strawberry
from graphql import GraphQLError
from strawberry_django.pagination import NodeType
from strawberry_django.pagination import OffsetPaginated as PlainOffsetPaginated


# Same name as strawberry-django's generic, so that `OffsetPaginated[TaskType]` is still
# `TaskOffsetPaginated` in the schema.
@strawberry.type(name="OffsetPaginated")
class OffsetPaginated(PlainOffsetPaginated[NodeType]):
    @classmethod
    def resolve_paginated(cls, queryset, *, info, pagination=None, **kwargs):
        """Refuses a negative `offset` or `limit`: Django cannot slice from a negative index,
        and strawberry-django would quietly read a negative limit as "the maximum"."""
        for name in ("offset", "limit"):
            value = getattr(pagination, name, None)
            if isinstance(value, int) and value < 0:
                raise GraphQLError(
                    f"pagination.{name} must be zero or more, got {value}.",
                    extensions={"code": "BAD_USER_INPUT"},
                )
        return super().resolve_paginated(queryset, info=info, pagination=pagination, **kwargs)
