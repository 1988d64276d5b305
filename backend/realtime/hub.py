"""One channel-layer channel per web process for all its subscriptions, and local fan-out.

Why: channels-redis gives every socket its own channel, and every waiting `receive()` its own
pair of asyncio tasks, so each event woke every socket's receiver. The hub joins each group once
for the whole process (per event loop), receives each event once, and hands it to the
subscriptions of that group in memory. Redis holds one group member per web process.

channels-redis does not tell a receiver which group a message was sent to, so
`backend.realtime.broadcast` writes the group's name into each message (`ROUTE`).

The hub's channel is an ordinary process-local channel ("specific.<process>!<id>"): channels-redis
lets one receiver at a time read the process's Redis key for such channels, and a channel with
another prefix would wait behind the sockets' own receivers forever. Its name ends in
`HUB_CHANNEL_SUFFIX` so that settings.py can raise its capacity: every event of the process
passes through it, so its backlog is the sum of all groups' bursts, and past the default of 100
waiting messages channels-redis drops the rest silently.
"""

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict

logger = logging.getLogger(__name__)

HUB_CHANNEL_SUFFIX = ".realtime-hub"
ROUTE = "group"
# channels-redis forgets a group member after `group_expiry` (a day): the hub re-joins well
# before, since a busy process may keep a group for longer than that.
REJOIN_SECONDS = 3600
# After a failing receive (Redis restarting), wait this long before the next attempt.
RETRY_SECONDS = 1.0

_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub_for(layer) -> "Hub":
    """The hub of this event loop on `layer` (an event loop's tasks cannot share another's)."""
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    if layer not in hubs:
        hubs[layer] = Hub(layer)
    return hubs[layer]


class Hub:
    """Receives the messages of the groups its listeners joined and hands each to them.

    A listener is anything with a `types` collection and an asyncio `queue`
    (`backend.realtime.listening.Listener`); it gets the messages of those types sent to
    groups it joined, in the order the hub received them.
    """

    def __init__(self, layer):
        self.layer = layer
        self.channel: str | None = None
        self.members: defaultdict[str, set] = defaultdict(set)
        self._lock = asyncio.Lock()
        self._receiving: asyncio.Task | None = None
        self._rejoining: asyncio.Task | None = None

    async def join(self, group: str, listener) -> None:
        async with self._lock:
            self.members[group].add(listener)
            if self.channel is None:
                self.channel = await self.layer.new_channel() + HUB_CHANNEL_SUFFIX
            # Added even when already a member: this refreshes channels-redis's expiry.
            await self.layer.group_add(group, self.channel)
            if self._receiving is None:
                self._receiving = asyncio.ensure_future(self._receive())
                self._rejoining = asyncio.ensure_future(self._rejoin())

    async def leave(self, group: str, listener) -> None:
        async with self._lock:
            members = self.members.get(group)
            if members is None or listener not in members:
                return
            members.discard(listener)
            if members:
                return
            del self.members[group]
            await self.layer.group_discard(group, self.channel)
            if not self.members:
                # Nothing left to hear: stop, so that no task outlives the sockets.
                tasks = [task for task in (self._receiving, self._rejoining) if task is not None]
                self._receiving = self._rejoining = None
                for task in tasks:
                    await _stopped(task)

    def deliver(self, message: dict) -> None:
        """Hand `message` to the listeners of its group that wait for its type."""
        message_type = message.get("type")
        for listener in self.members.get(message.get(ROUTE), ()):
            if message_type in listener.types:
                listener.queue.put_nowait(message)

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("The realtime hub could not receive; retrying")
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self.deliver(message)

    async def _rejoin(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            async with self._lock:
                for group in list(self.members):
                    with contextlib.suppress(Exception):
                        await self.layer.group_add(group, self.channel)


async def _stopped(task: asyncio.Task) -> None:
    """Cancel `task` until it has ended.

    Python 3.11's `asyncio.wait_for`, which redis-py sends its commands through, loses a
    cancellation that arrives just as the command completes; the hub's receive loop then went
    back to waiting on Redis forever, one leaked task each time a hub emptied at that moment.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=0.1)
