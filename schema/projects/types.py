import strawberry
from strawberry import auto

from backend.projects.models import Project
from schema.accounts.types import UserType
from schema.adapters import model_type


@model_type(
    Project,
    name="Project",
    description="A shared space of tasks: its owner and members see all of its tasks; only the "
    "owner (or staff) changes it.",
)
class ProjectType:
    id: auto = strawberry.field(description="The project's id.")
    name: auto = strawberry.field(description="1 to 255 characters.")
    description: auto = strawberry.field(description="Details; empty when there are none.")
    owner: UserType = strawberry.field(description="Who created it; a member too.")
    members: list[UserType] = strawberry.field(
        description="The owner and the other members: they (and staff) see its tasks."
    )
    created_at: auto = strawberry.field(description="When it was created.")
    updated_at: auto = strawberry.field(
        description="When it, or its list of members, last changed."
    )
