from typing import Annotated

import strawberry

from backend.tasks import services
from schema.core import DeletedType, decode_id, given_fields, mutation, payload, user_of
from schema.tasks.inputs import TaskInput, TaskPartialInput
from schema.tasks.types import CommentType, TaskType

ID_FIELDS = ("project_id", "assignee_id")

# What every mutation of an existing task may answer, beyond its own rules.
REFUSALS = (
    "UNAUTHENTICATED without a token. Refused (OperationInfo) with NOT_FOUND `not_found` when "
    "the task does not exist or you may not see it, BAD_USER_INPUT `invalid_id` for an id that "
    "is not one"
)
# The rules of a task's project and assignee, on creation and change alike.
PEOPLE_RULES = (
    "BAD_USER_INPUT `project_not_found` on `projectId` (a project you are not in), "
    "`user_not_found` or `not_a_member` (of the task's project) on `assigneeId`"
)

TaskId = Annotated[strawberry.ID, strawberry.argument(description="The task.")]


def _decode_ids(fields: dict) -> dict:
    for name in ID_FIELDS:
        if name in fields:
            fields[name] = decode_id(fields[name], field=name)
    return fields


@strawberry.type
class TaskMutations:
    @mutation(
        description="Create a task, personal or in one of your projects; you are its creator. "
        "UNAUTHENTICATED without a token. Refused (OperationInfo) with BAD_USER_INPUT `blank` or "
        "`max_length` on `title`, `max_length` on `description`, `invalid_id` on an id that is "
        "not one, " + PEOPLE_RULES + "."
    )
    def create_task(
        self,
        info: strawberry.Info,
        input: Annotated[TaskInput, strawberry.argument(description="The new task.")],
    ) -> payload("CreateTaskPayload", TaskType, "The task created"):
        return services.create_task(actor=user_of(info), **_decode_ids(vars(input).copy()))

    @mutation(
        description="Change a task: its creator, its assignee, its project's owner or staff "
        "may. A change that changes nothing leaves `version` as it is. "
        + REFUSALS
        + ", CONFLICT `stale_version` on `version` when a `version` given is not the current "
        "one (nothing is changed: read the task again), BAD_USER_INPUT `blank` or `max_length` "
        "on `title`, "
        "`max_length` on `description`, "
        + PEOPLE_RULES
        + ", and FORBIDDEN `permission_denied` when you see the task but may not change it."
    )
    def update_task(
        self,
        info: strawberry.Info,
        input: Annotated[TaskPartialInput, strawberry.argument(description="The changes.")],
    ) -> payload("UpdateTaskPayload", TaskType, "The task as stored"):
        changes = _decode_ids(given_fields(input))
        task_id = decode_id(changes.pop("id"), field="id")
        return services.update_task(actor=user_of(info), task_id=task_id, **changes)

    @mutation(
        description="Delete a task with its comments and history: its creator, its project's "
        "owner or staff may. "
        + REFUSALS
        + ", and FORBIDDEN `permission_denied` when you see the task but may not delete it."
    )
    def delete_task(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The task to delete.")],
    ) -> payload("DeleteTaskPayload", DeletedType, "The id of the task deleted"):
        services.delete_task(actor=user_of(info), task_id=decode_id(id, field="id"))
        return DeletedType(id=id)

    @mutation(
        description="Give the task to a user, or to nobody with `assigneeId: null`: the same "
        "rule and answers as `updateTask` with only `assigneeId`. "
        + REFUSALS
        + ", BAD_USER_INPUT `user_not_found` or `not_a_member` on `assigneeId`, and FORBIDDEN "
        "`permission_denied` when you see the task but may not change it."
    )
    def assign_task(
        self,
        info: strawberry.Info,
        task_id: TaskId,
        assignee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The user (in a project, one of its members), or null for nobody."
            ),
        ],
    ) -> payload("AssignTaskPayload", TaskType, "The task as stored"):
        return services.assign_task(
            actor=user_of(info),
            task_id=decode_id(task_id, field="task_id"),
            assignee_id=decode_id(assignee_id, field="assignee_id"),
        )

    @mutation(
        description="Comment on a task you can see. "
        + REFUSALS
        + ", and BAD_USER_INPUT `blank` or `max_length` on `content`."
    )
    def add_comment(
        self,
        info: strawberry.Info,
        task_id: TaskId,
        content: Annotated[
            str, strawberry.argument(description="The text, 1 to 10,000 characters, trimmed.")
        ],
    ) -> payload("AddCommentPayload", CommentType, "The comment added"):
        return services.add_comment(
            actor=user_of(info), task_id=decode_id(task_id, field="task_id"), content=content
        )
