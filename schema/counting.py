"""Offset pages whose `totalCount` is cached under the same versions as the lists.

An exact COUNT(*) over everything a user sees costs more than the page itself at scale (~600 ms
over 1,000,000 rows here), and every page of one list repeats it. The count is kept for a
minute per user and query (the SQL and parameters of the unpaginated QuerySet), and any write
that could change it bumps the versions it depends on (backend/core/invalidation.py).
"""

import strawberry
from strawberry_django.pagination import NodeType
from strawberry_django.pagination import OffsetPaginated as PlainOffsetPaginated

from backend.core import cache


# Same name as strawberry-django's generic, so that `OffsetPaginated[TaskType]` is still
# `TaskOffsetPaginated` in the schema; only where the count comes from differs. Its
# QuerySet must hold only what the signed-in user may see (as every list selector's does).
@strawberry.type(name="OffsetPaginated")
class OffsetPaginated(PlainOffsetPaginated[NodeType]):
    @classmethod
    def resolve_paginated(cls, queryset, *, info, pagination=None, **kwargs):
        page = super().resolve_paginated(queryset, info=info, pagination=pagination, **kwargs)
        # Not a dataclass field, so that the GraphQL type stays as it was.
        page.viewer = info.context.request.user
        return page

    def get_total_count(self) -> int:
        viewer, queryset = getattr(self, "viewer", None), self.queryset
        # An empty QuerySet (`.none()`) has no SQL to key on, and counts nothing anyway.
        if viewer is None or queryset is None or queryset.query.is_empty():
            return super().get_total_count()
        count, _ = cache.read_through(
            name="graphql:count",
            depends_on=cache.list_versions(viewer),
            # SQL and parameters apart: `str(query)` pastes them in unquoted, so two different
            # parameter lists could read the same.
            params=(viewer.id, queryset.order_by().query.sql_with_params()),
            timeout=cache.LIST_TIMEOUT,
            compute=super().get_total_count,
        )
        return count
