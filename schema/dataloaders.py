"""The DataLoaders of the WebSocket paths: what subscriptions load by id.

Two scopes, for two kinds of load.

**Per event, shared by the web process** (`for_events()`): what every subscriber of an event is
shown, the task of a `taskChanged` event and its actor, loaded by the `TaskChange` fields that
select them. The hub hands an event to every subscription of a group in one go
(backend/realtime/hub.py), so their executions load in one batch: one query however many
subscribers the process holds (and shared events execute once per operation anyway,
schema/shared_events.py). The loaders are keyed by the event (`AtEvent`) and remember the most
recent `RECENT_EVENTS` events, so that the executions that do not load in that tick are served
too: an event reaches the staff group, the project's group and outsiders' own groups as separate
channel-layer messages, and a subscription still sending the previous event comes to this one
later; with `cache=False` each of them would cost a query of its own, most of all in a burst,
when the process is busiest. Keyed by the event and not by the id, nothing goes stale: the next
event of the same task is another key and reads it afresh. The loaders' futures belong to one
event loop, so there is a set per loop (a web process runs one), as there is a hub.

**Per socket, bound to its viewer** (`for_viewer(info)`): what only one viewer may see, their
notifications and their jobs. The batch applies the selectors' visibility rule to the viewer
(a notification is its user's, `Job.objects.visible_to`), so another's never loads. Strawberry
builds the context once per socket, not per operation, and a socket stays open for hours while
its jobs change under it: these loaders cache nothing (`cache=False`) and only batch the loads
of one tick (two subscriptions of a socket hearing the same notification share a query).

Everything here runs over WebSocket only: GraphQL over HTTP executes synchronously, with no
event loop to batch on, and its lists get their joins, prefetches and annotations from
strawberry-django's optimizer, as queries sent over the socket do. One module rather than a
`dataloaders.py` per domain: four small loaders for one path, whose scopes are one decision.

A load may be awaited by many subscriptions, and awaiting a future from a task that is then
cancelled cancels the future: callers await `asyncio.shield(...)` of it, so that a subscriber
who leaves does not take the result from the others.
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

# Events whose loads are remembered, per loader and process: a burst of this many events
# may be in flight before a late subscriber's load turns into a query of its own.
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
