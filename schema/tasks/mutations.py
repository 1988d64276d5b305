import strawberry

from backend.tasks import services
from schema.core import DeletedType, decode_id, given_fields, mutation, user_of
from schema.tasks.inputs import TaskInput, TaskPartialInput
from schema.tasks.types import CommentType, TaskType

ID_FIELDS = ("project_id", "assignee_id")


def _decode_ids(fields: dict) -> dict:
    for name in ID_FIELDS:
        if name in fields:
            fields[name] = decode_id(fields[name], field=name)
    return fields


@strawberry.type
class TaskMutations:
    @mutation()
    def create_task(self, info: strawberry.Info, input: TaskInput) -> TaskType:
        """Create a task, personal or in one of your projects."""
        return services.create_task(actor=user_of(info), **_decode_ids(vars(input).copy()))

    @mutation()
    def update_task(self, info: strawberry.Info, input: TaskPartialInput) -> TaskType:
        """Change a task; refused as a conflict when a `version` given is not the current one."""
        changes = _decode_ids(given_fields(input))
        task_id = decode_id(changes.pop("id"), field="id")
        return services.update_task(actor=user_of(info), task_id=task_id, **changes)

    @mutation()
    def delete_task(self, info: strawberry.Info, id: strawberry.ID) -> DeletedType:
        """Delete a task (its creator, the project owner or staff)."""
        services.delete_task(actor=user_of(info), task_id=decode_id(id, field="id"))
        return DeletedType(id=id)

    @mutation()
    def assign_task(
        self, info: strawberry.Info, task_id: strawberry.ID, assignee_id: strawberry.ID | None
    ) -> TaskType:
        """Give the task to a user, or to nobody with `assigneeId: null`."""
        return services.assign_task(
            actor=user_of(info),
            task_id=decode_id(task_id, field="task_id"),
            assignee_id=decode_id(assignee_id, field="assignee_id"),
        )

    @mutation()
    def add_comment(
        self, info: strawberry.Info, task_id: strawberry.ID, content: str
    ) -> CommentType:
        """Comment on a task you can see (at most 10,000 characters)."""
        return services.add_comment(
            actor=user_of(info), task_id=decode_id(task_id, field="task_id"), content=content
        )
