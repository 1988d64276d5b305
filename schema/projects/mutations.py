import strawberry

from backend.projects import services
from schema.core import DeletedType, decode_id, given_fields, mutation, user_of
from schema.projects.inputs import ProjectInput, ProjectPartialInput
from schema.projects.types import ProjectType


@strawberry.type
class ProjectMutations:
    @mutation()
    def create_project(self, info: strawberry.Info, input: ProjectInput) -> ProjectType:
        """Create a project; you become its owner and first member."""
        return services.create_project(actor=user_of(info), **vars(input))

    @mutation()
    def update_project(self, info: strawberry.Info, input: ProjectPartialInput) -> ProjectType:
        """Rename or describe a project (owner only)."""
        changes = given_fields(input)
        project_id = decode_id(changes.pop("id"), field="id")
        return services.update_project(actor=user_of(info), project_id=project_id, **changes)

    @mutation()
    def delete_project(self, info: strawberry.Info, id: strawberry.ID) -> DeletedType:
        """Delete a project and its tasks (owner only)."""
        services.delete_project(actor=user_of(info), project_id=decode_id(id, field="id"))
        return DeletedType(id=id)

    @mutation()
    def add_project_member(
        self, info: strawberry.Info, project_id: strawberry.ID, user_id: strawberry.ID
    ) -> ProjectType:
        """Let a user see and work on the project's tasks (owner only)."""
        return services.add_project_member(
            actor=user_of(info),
            project_id=decode_id(project_id, field="project_id"),
            user_id=decode_id(user_id, field="user_id"),
        )

    @mutation()
    def remove_project_member(
        self, info: strawberry.Info, project_id: strawberry.ID, user_id: strawberry.ID
    ) -> ProjectType:
        """Remove a member (owner), or leave a project (member)."""
        return services.remove_project_member(
            actor=user_of(info),
            project_id=decode_id(project_id, field="project_id"),
            user_id=decode_id(user_id, field="user_id"),
        )
