"""What a subscriber receives: the async generators behind the GraphQL subscriptions.

They decide who hears what and yield ids; the schema loads the objects, batched for all the
subscriptions of a process (schema/dataloaders.py).
"""

from dataclasses import dataclass

from channels.db import database_sync_to_async

from backend.realtime.groups import (
    MEMBERSHIP_CHANGED,
    NOTIFICATION_CREATED,
    TASK_CHANGED,
    TaskEventFilter,
    task_groups,
    user_group,
)
from backend.realtime.listening import listen


@dataclass(frozen=True)
class TaskChange:
    event_id: str
    kind: str
    task_id: int
    project_id: int | None
    actor_id: int | None


async def task_changes(
    *,
    consumer,
    user,
    project_id: int | None = None,
    kinds: frozenset[str] | None = None,
    assignee_id: int | None = None,
):
    """Changes to the tasks `user` may see, as they happen: of one project, of some kinds, or
    of the tasks assigned to one user (at the time of the change), when asked.

    Raises Project.DoesNotExist, before anything is streamed, when `project_id` names a
    project the user may not see.
    """
    groups = await database_sync_to_async(task_groups)(user=user, project_id=project_id)
    events = TaskEventFilter(user, project_id, kinds=kinds, assignee_id=assignee_id)
    return _task_changes(consumer, events, groups)


async def _task_changes(consumer, events: TaskEventFilter, groups: list[str]):
    async with listen(consumer, types=[TASK_CHANGED, MEMBERSHIP_CHANGED], groups=groups) as inbox:
        async for message in inbox:
            if message["type"] == MEMBERSHIP_CHANGED:
                await inbox.follow(events.group_change(message))
                continue
            if not events.admits(message):
                continue
            actor = message["actor"]
            yield TaskChange(
                event_id=message["event_id"],
                kind=message["kind"],
                task_id=message["task_id"],
                project_id=message["project_id"],
                actor_id=actor["id"] if actor else None,
            )


async def received_notification_ids(*, consumer, user):
    """The ids of the user's new notifications, as they are created."""
    async with listen(
        consumer, types=[NOTIFICATION_CREATED], groups=[user_group(user.id)]
    ) as inbox:
        async for message in inbox:
            yield message["notification"]["id"]
