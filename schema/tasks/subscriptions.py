import asyncio
from collections.abc import AsyncGenerator
from enum import Enum
from typing import Annotated

import strawberry

from backend.events import EventKind
from backend.projects.models import Project
from backend.realtime.groups import NO_SUCH_PROJECT
from backend.realtime.streams import task_changes
from schema.accounts.types import UserType
from schema.core import parse_id, user_of
from schema.dataloaders import AtEvent, for_events
from schema.permissions import IsAuthenticated
from schema.shared_events import SharedAcrossViewers
from schema.tasks.types import TaskType


@strawberry.enum(name="TaskChangeKind", description="What happened to a task.")
class TaskChangeKindEnum(Enum):
    CREATED = strawberry.enum_value(EventKind.TASK_CREATED.value, description="It was created.")
    UPDATED = strawberry.enum_value(
        EventKind.TASK_UPDATED.value,
        description="A field other than the assignee changed (its project too).",
    )
    ASSIGNED = strawberry.enum_value(
        EventKind.TASK_ASSIGNED.value, description="Its assignee changed."
    )
    DELETED = strawberry.enum_value(
        EventKind.TASK_DELETED.value, description="It was deleted: `task` is null."
    )
    COMMENTED = strawberry.enum_value(
        EventKind.TASK_COMMENTED.value, description="Someone commented on it."
    )


@strawberry.type(name="TaskChange", description="Something happened to a task you may see.")
class TaskChangeType(SharedAcrossViewers):
    # Who may see the task was decided per subscriber (TaskEventFilter), and the Task, Project
    # and User types show every viewer the same fields: one result serves every subscriber.
    event_id: strawberry.Private[str]
    kind: TaskChangeKindEnum = strawberry.field(description="What happened.")
    task_id: strawberry.ID = strawberry.field(description="The task's id, even once deleted.")
    project_id: strawberry.ID | None = strawberry.field(
        description="The task's project at the time; null for a personal task."
    )
    actor_id: strawberry.Private[int | None]

    @strawberry.field(description="The task now; null once deleted.")
    async def task(self) -> TaskType | None:
        task = AtEvent(self.event_id, int(self.task_id))
        return await asyncio.shield(for_events().tasks.load(task))

    @strawberry.field(description="Who did it; null for the system.")
    async def actor(self) -> UserType | None:
        actor = AtEvent(self.event_id, self.actor_id)
        return await asyncio.shield(for_events().users.load(actor))


@strawberry.type
class TaskSubscriptions:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        description="Changes to the tasks you may see, as they happen, narrowed by the "
        "arguments given; over WebSocket. NOT_FOUND, before anything is sent, when `projectId` "
        "names a project you are not in (or is not an id).",
    )
    async def task_changed(
        self,
        info: strawberry.Info,
        project_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only the tasks of this project (one of yours)."),
        ] = None,
        kinds: Annotated[
            list[TaskChangeKindEnum] | None,
            strawberry.argument(description="Only these kinds of change; all when omitted."),
        ] = None,
        assignee_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only tasks assigned to this user when the change happened."
            ),
        ] = None,
    ) -> AsyncGenerator[TaskChangeType, None]:
        project = None
        if project_id is not None:
            project = parse_id(project_id)
            if project is None:
                raise Project.DoesNotExist(NO_SUCH_PROJECT)
        changes = await task_changes(
            consumer=info.context.ws,
            user=user_of(info),
            project_id=project,
            kinds=None if kinds is None else frozenset(kind.value for kind in kinds),
            # An id that cannot exist matches no assignee, as an unknown id would.
            assignee_id=None if assignee_id is None else (parse_id(assignee_id) or 0),
        )
        return _as_task_change_types(changes)


async def _as_task_change_types(changes) -> AsyncGenerator[TaskChangeType, None]:
    async for change in changes:
        yield TaskChangeType(
            event_id=change.event_id,
            kind=TaskChangeKindEnum(change.kind),
            task_id=strawberry.ID(str(change.task_id)),
            project_id=change.project_id,
            actor_id=change.actor_id,
        )
