"""What a subscriber receives: the async generators behind the GraphQL subscriptions.

A web process may hold a thousand sockets watching one project; each event's task and actor
are loaded once per process and shared by all of them, not once per socket.
"""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from channels.db import database_sync_to_async

from backend.accounts.models import User
from backend.notifications.models import Notification
from backend.realtime.groups import (
    MEMBERSHIP_CHANGED,
    NOTIFICATION_CREATED,
    TASK_CHANGED,
    TaskEventFilter,
    task_groups,
    user_group,
)
from backend.realtime.listening import listen
from backend.tasks.models import Task
from backend.tasks.selectors import COMMENT_COUNT


@dataclass(frozen=True)
class TaskChange:
    event_id: str
    kind: str
    task_id: int
    project_id: int | None
    task: Task | None
    actor: User | None


class _SharedLoads:
    """The task and actor of recent events, loaded once per process."""

    def __init__(self, size: int = 256):
        self.size = size
        self._loads: OrderedDict[str, asyncio.Future] = OrderedDict()

    def get(self, message: dict) -> asyncio.Future:
        key = message["event_id"]
        load = self._loads.get(key)
        if load is None:
            load = asyncio.ensure_future(
                database_sync_to_async(_load_task_and_actor)(message["task_id"], message["actor"])
            )
            self._loads[key] = load
            while len(self._loads) > self.size:
                self._loads.popitem(last=False)
        return load


def _load_task_and_actor(task_id: int, actor: dict | None):
    """Everything a TaskChange selects but lists (comments, activity, members), which are
    loaded once per event and operation when selected (schema/shared_events.py)."""
    task = (
        Task.objects.select_related("project__owner", "created_by", "assignee")
        .annotate(annotated_comment_count=COMMENT_COUNT)
        .filter(id=task_id)
        .first()
    )
    return task, (User.objects.filter(id=actor["id"]).first() if actor else None)


_shared_loads = _SharedLoads()


async def task_changes(*, consumer, user, project_id: int | None = None):
    """Changes to the tasks `user` may see (in one project), as they happen.

    Raises Project.DoesNotExist, before anything is streamed, when `project_id` names a
    project the user may not see.
    """
    groups = await database_sync_to_async(task_groups)(user=user, project_id=project_id)
    return _task_changes(consumer, TaskEventFilter(user, project_id), groups)


async def _task_changes(consumer, events: TaskEventFilter, groups: list[str]):
    async with listen(consumer, types=[TASK_CHANGED, MEMBERSHIP_CHANGED], groups=groups) as inbox:
        async for message in inbox:
            if message["type"] == MEMBERSHIP_CHANGED:
                await inbox.follow(events.group_change(message))
                continue
            if not events.admits(message):
                continue
            task, actor = await _shared_loads.get(message)
            yield TaskChange(
                event_id=message["event_id"],
                kind=message["kind"],
                task_id=message["task_id"],
                project_id=message["project_id"],
                task=task,  # None once the task is deleted
                actor=actor,
            )


async def received_notifications(*, consumer, user):
    """The user's new notifications, as they are created."""
    async with listen(
        consumer, types=[NOTIFICATION_CREATED], groups=[user_group(user.id)]
    ) as inbox:
        async for message in inbox:
            notification = await database_sync_to_async(
                Notification.objects.filter(user=user, id=message["notification"]["id"]).first
            )()
            if notification is not None:
                yield notification
