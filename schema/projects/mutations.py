from typing import Annotated

import strawberry

from backend.projects import services
from schema.core import DeletedType, decode_id, given_fields, mutation, payload, user_of
from schema.projects.inputs import ProjectInput, ProjectPartialInput
from schema.projects.types import ProjectType

# What every mutation of a project may answer, beyond its own rules.
REFUSALS = (
    "UNAUTHENTICATED without a token. Refused (OperationInfo) with NOT_FOUND `not_found` when the "
    "project does not exist or you are not in it, BAD_USER_INPUT `invalid_id` for an id that is "
    "not one"
)
OWNER_ONLY = ", and FORBIDDEN `permission_denied` when you are a member but not its owner."

ProjectId = Annotated[strawberry.ID, strawberry.argument(description="The project.")]


@strawberry.type
class ProjectMutations:
    @mutation(
        description="Create a project; you become its owner and first member. UNAUTHENTICATED "
        "without a token. Refused (OperationInfo) with BAD_USER_INPUT `blank` or `max_length` on "
        "`name`, `max_length` on `description`."
    )
    def create_project(
        self,
        info: strawberry.Info,
        input: Annotated[ProjectInput, strawberry.argument(description="The new project.")],
    ) -> payload("CreateProjectPayload", ProjectType, "The project created"):
        return services.create_project(actor=user_of(info), **vars(input))

    @mutation(
        description="Rename or describe a project (its owner or staff). "
        + REFUSALS
        + ", BAD_USER_INPUT `blank` or `max_length` on `name`, `max_length` on `description`"
        + OWNER_ONLY
    )
    def update_project(
        self,
        info: strawberry.Info,
        input: Annotated[ProjectPartialInput, strawberry.argument(description="The changes.")],
    ) -> payload("UpdateProjectPayload", ProjectType, "The project as stored"):
        changes = given_fields(input)
        project_id = decode_id(changes.pop("id"), field="id")
        return services.update_project(actor=user_of(info), project_id=project_id, **changes)

    @mutation(
        description="Delete a project with all of its tasks (its owner or staff). "
        + REFUSALS
        + OWNER_ONLY
    )
    def delete_project(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The project to delete.")],
    ) -> payload("DeleteProjectPayload", DeletedType, "The id of the project deleted"):
        services.delete_project(actor=user_of(info), project_id=decode_id(id, field="id"))
        return DeletedType(id=id)

    @mutation(
        description="Let a user see and work on the project's tasks (its owner or staff); "
        "adding a member twice changes nothing. "
        + REFUSALS
        + ", BAD_USER_INPUT `user_not_found` on `userId` for an unknown or inactive user"
        + OWNER_ONLY
    )
    def add_project_member(
        self,
        info: strawberry.Info,
        project_id: ProjectId,
        user_id: Annotated[strawberry.ID, strawberry.argument(description="The user to add.")],
    ) -> payload("AddProjectMemberPayload", ProjectType, "The project with its members"):
        return services.add_project_member(
            actor=user_of(info),
            project_id=decode_id(project_id, field="project_id"),
            user_id=decode_id(user_id, field="user_id"),
        )

    @mutation(
        description="Remove a member (its owner or staff), or leave a project (any member, "
        "giving your own id). "
        + REFUSALS
        + ", BAD_USER_INPUT on `userId` with `owner_cannot_leave` or `not_a_member`, and "
        "FORBIDDEN `permission_denied` when a member other than the owner removes someone else."
    )
    def remove_project_member(
        self,
        info: strawberry.Info,
        project_id: ProjectId,
        user_id: Annotated[
            strawberry.ID, strawberry.argument(description="The member to remove, or yourself.")
        ],
    ) -> payload("RemoveProjectMemberPayload", ProjectType, "The project with its members"):
        return services.remove_project_member(
            actor=user_of(info),
            project_id=decode_id(project_id, field="project_id"),
            user_id=decode_id(user_id, field="user_id"),
        )
