from strawberry import auto

from backend.projects.models import Project
from schema.accounts.types import UserType
from schema.adapters import model_type


@model_type(Project, name="Project")
class ProjectType:
    """A shared space of tasks; its owner and members see all of them."""

    id: auto
    name: auto
    description: auto
    owner: UserType
    members: list[UserType]
    created_at: auto
    updated_at: auto
