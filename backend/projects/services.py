"""Writes on projects and their membership."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from backend import events
from backend.accounts.models import User
from backend.events import EventKind, project_event
from backend.platform.errors import field_error
from backend.projects.models import Membership, Project

EDITABLE_FIELDS = ("name", "description")


def _project_for_change(*, actor, project_id) -> Project:
    """Lock the project (FOR UPDATE) if the actor sees it and may change it."""
    project = Project.objects.visible_to(actor).select_for_update().get(id=project_id)
    if not project.can_be_changed_by(actor):
        raise PermissionDenied("Only the project owner can change this project.")
    return project


@transaction.atomic
def create_project(*, actor, name: str, description: str = "") -> Project:
    """Create a project owned by the actor, who becomes its first member."""
    project = Project(name=name.strip(), description=description, owner=actor)
    project.full_clean()
    project.save()
    Membership.objects.create(project=project, user=actor)
    events.publish(project_event(EventKind.PROJECT_CREATED, project=project, actor=actor))
    return project


@transaction.atomic
def update_project(*, actor, project_id: int, **changes) -> Project:
    """Change a project's name or description; owner and staff only."""
    project = _project_for_change(actor=actor, project_id=project_id)
    for name in changes:
        if name not in EDITABLE_FIELDS:
            raise field_error(name, "This field cannot be changed.", "not_editable")
    for name, value in changes.items():
        if name == "name" and value:
            value = value.strip()
        elif name == "description" and value is None:
            value = ""  # null clears an optional text; the column itself is NOT NULL
        setattr(project, name, value)
    project.full_clean()
    project.save()
    events.publish(
        project_event(
            EventKind.PROJECT_UPDATED, project=project, actor=actor, changes=sorted(changes)
        )
    )
    return project


@transaction.atomic
def delete_project(*, actor, project_id: int) -> None:
    """Delete a project with its tasks; owner and staff only."""
    project = _project_for_change(actor=actor, project_id=project_id)
    # Built before the delete: afterwards the members and their tasks are gone.
    event = project_event(
        EventKind.PROJECT_DELETED,
        project=project,
        actor=actor,
        task_ids=list(project.tasks.values_list("id", flat=True)),
    )
    project.delete()
    events.publish(event)


@transaction.atomic
def add_project_member(*, actor, project_id: int, user_id: int) -> Project:
    """Add a user to the project; adding a member twice changes nothing."""
    project = _project_for_change(actor=actor, project_id=project_id)
    try:
        user = User.objects.get(id=user_id, is_active=True)
    except User.DoesNotExist:
        raise field_error("user_id", "No such user.", "user_not_found") from None
    _, added = Membership.objects.get_or_create(project=project, user=user)
    if added:
        project.save(update_fields=["updated_at"])
        events.publish(
            project_event(EventKind.MEMBER_ADDED, project=project, actor=actor, user_id=user.id)
        )
    return project


@transaction.atomic
def remove_project_member(*, actor, project_id: int, user_id: int) -> Project:
    """Remove a member; the owner may remove anyone but themself, a member only themself."""
    project = Project.objects.visible_to(actor).select_for_update().get(id=project_id)
    if not (project.can_be_changed_by(actor) or actor.id == user_id):
        raise PermissionDenied("Only the project owner can remove other members.")
    if user_id == project.owner_id:
        raise field_error(
            "user_id", "The owner cannot leave their own project.", "owner_cannot_leave"
        )
    deleted, _ = Membership.objects.filter(project=project, user_id=user_id).delete()
    if not deleted:
        raise field_error("user_id", "This user is not a member of the project.", "not_a_member")
    project.save(update_fields=["updated_at"])
    events.publish(
        project_event(EventKind.MEMBER_REMOVED, project=project, actor=actor, user_id=user_id)
    )
    return project
