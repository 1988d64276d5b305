"""Reads on projects, always through the visibility rule."""

from django.db.models import Q, QuerySet

from backend.core import cache
from backend.core.pages import Page
from backend.projects.models import Project

PROJECT_ORDERINGS = {"name", "created_at", "updated_at"}


def project_list(*, user, search: str | None = None, ordering: list[str] | None = None) -> QuerySet:
    """Projects the user may see, optionally searched by name or description and ordered."""
    projects = Project.objects.visible_to(user)
    if search:
        projects = projects.filter(Q(name__icontains=search) | Q(description__icontains=search))
    order = [key for key in (ordering or []) if key.lstrip("-") in PROJECT_ORDERINGS]
    return projects.order_by(*order, "-id") if order else projects.order_by("-created_at", "-id")


def get_project(*, user, project_id: int) -> Project:
    """The project if the user may see it; Project.DoesNotExist otherwise (never a leak)."""
    return Project.objects.visible_to(user).get(id=project_id)


def project_page(
    *, user, offset: int, limit: int, search: str | None = None, ordering: list[str] | None = None
) -> Page:
    """A page of `project_list` with owner and members loaded, and the count; cached a minute."""

    def compute():
        projects = project_list(user=user, search=search, ordering=ordering)
        rows = projects.select_related("owner").prefetch_related("members")[offset : offset + limit]
        return Page(count=projects.count(), items=list(rows))

    page, cached = cache.read_through(
        name="projects:page",
        depends_on=cache.list_versions(user),
        params=(user.id, offset, limit, search, tuple(ordering or ())),
        timeout=cache.LIST_TIMEOUT,
        compute=compute,
    )
    return Page(count=page.count, items=page.items, cached=cached)
