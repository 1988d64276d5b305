from enum import Enum

import strawberry

from schema.ordering import SortDirection


@strawberry.input(name="ProjectInput", description="A new project.")
class ProjectInput:
    name: str = strawberry.field(description="1 to 255 characters, trimmed.")
    description: str = strawberry.field(
        default="", description="Details, up to 10,000 characters; may be empty."
    )


@strawberry.input(
    name="ProjectPartialInput",
    description="Changes to a project: only the fields given change.",
)
class ProjectPartialInput:
    id: strawberry.ID = strawberry.field(description="The project to change.")
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="1 to 255 characters, trimmed."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Details, up to 10,000 characters; null or empty clears them.",
    )


@strawberry.input(name="ProjectFilter", description="Which projects to list.")
class ProjectFilter:
    search: str | None = strawberry.field(
        default=None, description="Text found in the name or description, ignoring case."
    )


@strawberry.enum(name="ProjectOrderField", description="What a list of projects can be sorted by.")
class ProjectOrderField(Enum):
    NAME = strawberry.enum_value("name", description="The name, alphabetically.")
    CREATED_AT = strawberry.enum_value("created_at", description="When it was created.")
    UPDATED_AT = strawberry.enum_value("updated_at", description="When it last changed.")


@strawberry.input(
    name="ProjectOrder",
    description="One sort key of a project list; later keys break ties of earlier ones.",
)
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(description="What to sort by.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="Which way; ascending by default."
    )
