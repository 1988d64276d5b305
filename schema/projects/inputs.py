from enum import Enum

import strawberry

from schema.ordering import SortDirection


@strawberry.input(name="ProjectInput")
class ProjectInput:
    name: str = strawberry.field(description="At most 255 characters.")
    description: str = strawberry.field(default="", description="At most 10,000 characters.")


@strawberry.input(name="ProjectPartialInput")
class ProjectPartialInput:
    """Only the fields given change."""

    id: strawberry.ID
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 255 characters."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 10,000 characters; null clears it."
    )


@strawberry.input(name="ProjectFilter")
class ProjectFilter:
    search: str | None = strawberry.field(
        default=None, description="Words to find in the name or description."
    )


@strawberry.enum(name="ProjectOrderField")
class ProjectOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input(name="ProjectOrder")
class ProjectOrder:
    field: ProjectOrderField
    direction: SortDirection = SortDirection.ASC
