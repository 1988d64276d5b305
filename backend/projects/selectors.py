"""Reads on projects, always through the visibility rule."""

from django.db.models import Q, QuerySet

from backend.caching import store, versions
from backend.projects.models import Membership, Project

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


def member_project_ids(user_id: int) -> list[int]:
    """The ids of the user's projects, cached until their memberships change."""
    project_ids, _ = store.read_through(
        name="member-of",
        params=(user_id,),
        depends_on=[versions.user_access(user_id)],
        timeout=store.VERSION_TIMEOUT,
        compute=lambda: sorted(
            Membership.objects.filter(user_id=user_id).values_list("project_id", flat=True)
        ),
    )
    return project_ids


def list_versions(user) -> list[str]:
    """The versions every cached list answer for `user` depends on (each of their projects')."""
    if user.is_staff or not store.applies():
        # Nothing will be cached or read: the projects need not be looked up.
        return versions.list_versions(user, [])
    return versions.list_versions(user, member_project_ids(user.id))
