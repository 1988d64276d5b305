"""Page-number pagination of lists cached as sent: a list view computes one page, serialized,
and the list's size together, and keeps both per user and query (`cached_page`), so that a hit
costs neither SQL nor serialization and the paginator is handed the count instead of counting.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from backend.caching import store
from backend.projects.selectors import list_versions


@dataclass
class Page:
    """One page of a list as it is sent, the size of the whole list, how long the two may be
    kept, and whether they came from the cache."""

    count: int
    results: list
    timeout: int = store.LIST_TIMEOUT
    cached: bool = False


def cached_page(*, name: str, request, params: tuple, compute: Callable[[], Page]) -> Page:
    """`compute()`'s page, cached per user and `params` for `page.timeout` seconds."""
    page, cached = store.read_through(
        name=name,
        params=(request.user.id, *params),
        depends_on=list_versions(request.user),
        timeout=lambda page: page.timeout,
        compute=compute,
    )
    page.cached = cached
    return page


class PageNumbers(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def window(self, request) -> tuple[int, int]:
        """The (offset, limit) the request asks for; 400 on a malformed page or page size."""
        self.request = request
        self.size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or not 0 < int(raw) < 2**31:
            raise ValidationError({self.page_query_param: ["A page number starting at 1."]})
        self.number = int(raw)
        return (self.number - 1) * self.size, self.size

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # Over the maximum is refused, not cut: GraphQL's `limit` and `first` are refused too.
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def respond(self, page: Page, items_key: str = "results"):
        """The paginated response for `page`, as served by `window()`'s request."""
        paginator = Paginator([], self.size)
        paginator.count = page.count  # known already: the paginator must not count again
        if self.number > paginator.num_pages:
            raise NotFound("Invalid page.")
        self.page = DjangoPage(page.results, self.number, paginator)
        response = self.get_paginated_response(page.results)
        if items_key != "results":
            response.data[items_key] = response.data.pop("results")
        return response
