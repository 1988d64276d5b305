"""Offset pages: `totalCount` cached under the same versions as the lists, `results` read as
rows when the selection allows it.

An exact COUNT(*) over everything a user sees costs more than the page itself at scale (~600 ms
over 1,000,000 rows here), and every page of one list repeats it. The count is kept for a
minute per user and query (the SQL and parameters of the unpaginated QuerySet), and any write
that could change it bumps the versions it depends on (backend/core/invalidation.py).

The QuerySet is built only when a field needs it, and the page is planned by the optimizer only
if it is fetched as model instances: a selection of columns and joined rows is read as rows
(schema/fast_fields.py), as a hand-written DRF view would read `.values()`, with SQL remembered
from the viewer's previous identical request (bench/api.py compares the two).
"""

import asyncio

import strawberry
from django.db.models import QuerySet
from strawberry_django.pagination import NodeType
from strawberry_django.pagination import OffsetPaginated as PlainOffsetPaginated
from strawberry_django.resolvers import django_resolver

from backend.core import cache
from schema.fast_fields import UnfetchedPage, optimized


# Same name as strawberry-django's generic, so that `OffsetPaginated[TaskType]` is still
# `TaskOffsetPaginated` in the schema; only where the count comes from differs. Its
# QuerySet must hold only what the signed-in user may see (as every list selector's does).
@strawberry.type(name="OffsetPaginated")
class OffsetPaginated(PlainOffsetPaginated[NodeType]):
    @classmethod
    def resolve_paginated(cls, queryset, *, info, pagination=None, **kwargs):
        page = super().resolve_paginated(queryset, info=info, pagination=pagination, **kwargs)
        # Not dataclass fields, so that the GraphQL type stays as it was.
        page.viewer = info.context.request.user
        page.plan_key = None
        return page

    @classmethod
    def resolve_planned(cls, build, *, info, pagination=None, plan_key=None):
        """A page whose QuerySet `build()` makes only when a field needs it; `plan_key` (see
        `UnfetchedPage`) lets a plain page skip it altogether."""
        page = cls.resolve_paginated(None, info=info, pagination=pagination)
        page.build = build
        page.plan_key = plan_key
        return page

    def _built(self):
        build = self.__dict__.pop("build", None)
        if build is not None:
            self.queryset = build()
        return self.queryset

    def get_paginated_queryset(self):
        self._built()
        return super().get_paginated_queryset()

    @strawberry.field(description="List of paginated results.")
    def results(self, info: strawberry.Info) -> list[NodeType]:
        if _in_event_loop():
            queryset = self.get_paginated_queryset()
            if not isinstance(queryset, QuerySet):
                return queryset if queryset is not None else []
            return _fetched(queryset, info)
        # A synchronous execution fetches the page as it completes it: as rows of the selected
        # columns when the selection is plain, else optimized (schema/fast_fields.py).
        return UnfetchedPage(self._paginated_or_nothing, self.plan_key)

    def _paginated_or_nothing(self):
        queryset = self.get_paginated_queryset()
        return queryset if queryset is not None else []

    def get_total_count(self) -> int:
        viewer, queryset = getattr(self, "viewer", None), self._built()
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


@django_resolver
def _fetched(queryset: QuerySet, info):
    """The optimized page, fetched (in a thread when called from an event loop)."""
    return optimized(queryset, info)


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
