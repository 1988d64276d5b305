"""Offset pages: `totalCount` cached under the same versions as the lists, `results` read as
rows when the selection allows it.

An exact COUNT(*) over everything a user sees costs more than the page itself at scale (~600 ms
over 1,000,000 rows here), and every page of one list repeats it. The count is kept for a
minute per user and query (the SQL and parameters of the unpaginated QuerySet), and any write
that could change it bumps the versions it depends on (backend/core/invalidation.py).

The QuerySet is built only when a field needs it, and the page is planned by the optimizer only
if it is fetched as model instances: a selection of columns and joined rows is read as rows
(schema/fast_fields.py), as a hand-written DRF view would read `.values()`, with SQL remembered
from an earlier read of the same list (bench/api.py compares the two).
"""

import asyncio

import strawberry
from django.db.models import QuerySet
from strawberry_django.pagination import NodeType
from strawberry_django.pagination import OffsetPaginated as PlainOffsetPaginated
from strawberry_django.pagination import apply as apply_pagination
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
        page.user = info.context.request.user
        page.build = page.viewer = page.plan_key = None
        return page

    @classmethod
    def resolve_planned(cls, build, *, info, pagination, viewer, plan_key):
        """A page of the QuerySet `build(viewer)` makes, built only when a field needs it;
        `plan_key` (see `UnfetchedPage`) lets a plain page skip building it."""
        page = cls.resolve_paginated(None, info=info, pagination=pagination)
        page.build, page.viewer, page.plan_key = build, viewer, plan_key
        return page

    def _built(self):
        if self.queryset is None and self.build is not None:
            self.queryset = self.build(self.viewer)
        return self.queryset

    def get_paginated_queryset(self):
        self._built()
        return super().get_paginated_queryset()

    def _paginated_for(self, viewer):
        """This page of what `viewer` sees: the viewer's own, or another's (whose SQL shows
        which parameters are the viewer's, `UnfetchedPage`)."""
        if viewer == self.viewer:
            queryset = self.get_paginated_queryset()
        else:
            queryset = apply_pagination(self.pagination, self.build(viewer))
        return queryset if queryset is not None else []

    @strawberry.field(description="List of paginated results.")
    def results(self, info: strawberry.Info) -> list[NodeType]:
        if _in_event_loop():
            queryset = self.get_paginated_queryset()
            if not isinstance(queryset, QuerySet):
                return queryset if queryset is not None else []
            return _fetched(queryset, info)
        # A synchronous execution fetches the page as it completes it: as rows of the selected
        # columns when the selection is plain, else optimized (schema/fast_fields.py).
        return UnfetchedPage(
            self._paginated_for, _window(self.pagination), self.viewer, self.plan_key
        )

    def get_total_count(self) -> int:
        user, queryset = getattr(self, "user", None), self._built()
        # An empty QuerySet (`.none()`) has no SQL to key on, and counts nothing anyway.
        if user is None or queryset is None or queryset.query.is_empty():
            return super().get_total_count()
        count, _ = cache.read_through(
            name="graphql:count",
            depends_on=cache.list_versions(user),
            # SQL and parameters apart: `str(query)` pastes them in unquoted, so two different
            # parameter lists could read the same.
            params=(user.id, queryset.order_by().query.sql_with_params()),
            timeout=cache.LIST_TIMEOUT,
            compute=super().get_total_count,
        )
        return count


class _Slicing:
    """Stands in for a QuerySet to learn which slice strawberry-django's pagination takes."""

    def __getitem__(self, window: slice) -> slice:
        return window


def _window(pagination) -> tuple[int | None, int]:
    """The (LIMIT, OFFSET) that `pagination` gives a QuerySet, as Django reads its slice."""
    window = apply_pagination(pagination, _Slicing())
    if not isinstance(window, slice):
        return None, 0
    start = window.start or 0
    return (None if window.stop is None else max(window.stop - start, 0)), start


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
