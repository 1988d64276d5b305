"""The DataLoaders of the WebSocket paths (HTTP executes synchronously, with no loop to batch on).

**Per event, shared by the web process** (`for_events()`): what every subscriber of an event is
shown. The hub hands an event to every subscription of a group at once, so their executions load
in one batch; the loaders remember the last `RECENT_EVENTS` events (keyed by `AtEvent`, so
nothing goes stale) for executions that miss it, as when an event reaches the staff, project
and outsiders' groups as separate messages. Their futures belong to one event loop: a set per loop.

**Per socket, bound to its viewer** (`for_viewer(info)`): their notifications and jobs, through
the selectors' visibility rule. The context lives as long as the socket, for hours while its
jobs change: these loaders cache nothing, and only batch the loads of one tick.

Cancelling a task that awaits a load cancels the load for everyone: callers await
`asyncio.shield(...)` of it.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from channels.db import database_sync_to_async
from django.db.models import Model, QuerySet
from strawberry.dataloader import AbstractCache, DataLoader

from backend.accounts.models import User
from backend.jobs.models import Job
from backend.notifications.models import Notification
from backend.notifications.selectors import notification_list
from backend.tasks.models import Task
from backend.tasks.selectors import COMMENT_COUNT
from schema.core import user_of

# Per loader: a burst this long may pass before a late subscriber's load costs a query of its own.
RECENT_EVENTS = 256


@dataclass(frozen=True)
class AtEvent:
    """An object's id as one event shows it; `id` None (no actor) loads None."""

    event_id: str
    id: int | None


class RecentEvents(AbstractCache):
    """The loads of the most recent events, the oldest forgotten first."""

    def __init__(self, size: int = RECENT_EVENTS):
        self.size = size
        self._futures: OrderedDict[Hashable, asyncio.Future] = OrderedDict()

    def get(self, key):
        return self._futures.get(key)

    def set(self, key, value):
        self._futures[key] = value
        while len(self._futures) > self.size:
            self._futures.popitem(last=False)

    def delete(self, key):
        self._futures.pop(key, None)

    def clear(self):
        self._futures.clear()


def _batch(read: Callable[[set[int]], QuerySet], id_of: Callable = lambda key: key):
    """A batch function: one `read` of the keys' ids in a worker thread; per key, the object
    `read` returned for its id, else None."""

    def by_id(ids: set[int]) -> dict[int, Model]:
        return {found.pk: found for found in read(ids).order_by()}

    async def load(keys: list) -> list:
        ids = {id_of(key) for key in keys} - {None}
        found = await database_sync_to_async(by_id)(ids) if ids else {}
        return [found.get(id_of(key)) for key in keys]

    return load


def _id_at(key: AtEvent) -> int | None:
    return key.id


def _tasks(ids: set[int]):
    """Tasks with everything a `TaskChange` shows but its lists (comments, activity, members),
    which are read when a subscription selects them."""
    return (
        Task.objects.select_related("project__owner", "created_by", "assignee")
        .annotate(comment_count=COMMENT_COUNT)
        .filter(id__in=ids)
    )


def _users(ids: set[int]):
    return User.objects.filter(id__in=ids)


@dataclass(frozen=True)
class EventLoaders:
    """Loaders of what every subscriber of an event is shown, keyed by `AtEvent`."""

    tasks: DataLoader[AtEvent, Task | None]
    users: DataLoader[AtEvent, User | None]


_event_loaders: WeakKeyDictionary[asyncio.AbstractEventLoop, EventLoaders] = WeakKeyDictionary()


def for_events() -> EventLoaders:
    """This process's (this event loop's) loaders of what an event shows."""
    loop = asyncio.get_running_loop()
    loaders = _event_loaders.get(loop)
    if loaders is None:
        loaders = _event_loaders[loop] = EventLoaders(
            tasks=DataLoader(_batch(_tasks, _id_at), cache_map=RecentEvents(), loop=loop),
            users=DataLoader(_batch(_users, _id_at), cache_map=RecentEvents(), loop=loop),
        )
    return loaders


@dataclass(frozen=True)
class ViewerLoaders:
    """Loaders of what one viewer may see, by id; another's loads as None."""

    notifications: DataLoader[int, Notification | None]
    jobs: DataLoader[int, Job | None]

    @classmethod
    def of(cls, viewer) -> "ViewerLoaders":
        def notifications(ids):
            return notification_list(user=viewer).filter(id__in=ids)

        def jobs(ids):
            return Job.objects.visible_to(viewer).select_related("owner").filter(id__in=ids)

        return cls(
            notifications=DataLoader(_batch(notifications), cache=False),
            jobs=DataLoader(_batch(jobs), cache=False),
        )


def for_viewer(info) -> ViewerLoaders:
    """The loaders of this socket's viewer (made on first use, kept on the socket's context)."""
    loaders = info.context.loaders.get(ViewerLoaders)
    if loaders is None:
        loaders = info.context.loaders[ViewerLoaders] = ViewerLoaders.of(user_of(info))
    return loaders
