"""One channel-layer channel per web process (per event loop) for all its subscriptions.

channels-redis gives every socket a channel of its own and every waiting `receive()` its own
tasks, so each event would wake every socket; the hub joins each group once, receives each
event once and hands it to the group's listeners in memory. channels-redis does not tell a
receiver which group a message came through, so backend/realtime/broadcast.py writes it in
(`ROUTE`).

The hub's channel is process-local ("specific.<process>!<id>"): channels-redis lets one receiver
at a time read such channels' Redis key, and another prefix would wait behind the sockets'
receivers forever. Its name ends in `HUB_CHANNEL_SUFFIX` so that settings.py can raise its
capacity: past 100 waiting messages channels-redis silently drops the rest.
"""

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict

from backend.platform import outages
from backend.platform.metrics import EVENTS_DELIVERED

logger = logging.getLogger(__name__)

HUB_CHANNEL_SUFFIX = ".realtime-hub"
ROUTE = "group"
# channels-redis forgets a group member after a day (`group_expiry`); a hub may outlive that.
REJOIN_SECONDS = 3600
RETRY_SECONDS = 1.0

_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hub_for(layer) -> "Hub":
    """The hub of this event loop on `layer` (an event loop's tasks cannot share another's)."""
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    if layer not in hubs:
        hubs[layer] = Hub(layer)
    return hubs[layer]


class Hub:
    """Hands each message of a joined group, in order, to the group's listeners that wait for
    its type (`backend.realtime.listening.Listener`: a `types` set and an asyncio `queue`)."""

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
            try:
                await self.layer.group_discard(group, self.channel)
            finally:
                if not self.members:
                    # Nothing left to hear: stop, so that no task outlives the sockets (nor
                    # retries a Redis that is down for nobody).
                    await self._stop()

    async def _stop(self) -> None:
        tasks = [task for task in (self._receiving, self._rejoining) if task is not None]
        self._receiving = self._rejoining = None
        for task in tasks:
            await _stopped(task)

    def deliver(self, message: dict) -> None:
        message_type = message.get("type")
        delivered = 0
        for listener in self.members.get(message.get(ROUTE), ()):
            if message_type in listener.types:
                listener.queue.put_nowait(message)
                delivered += 1
        # Counted once per event, not per socket: a fan-out to thousands stays cheap.
        if delivered:
            EVENTS_DELIVERED.labels(message_type).inc(delivered)

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception as error:
                if outages.unavailable_service(error) is None:
                    logger.exception("The realtime hub could not receive; retrying")
                else:
                    # Messages sent meanwhile are lost, and a Redis that restarted empty forgot
                    # the groups: every socket is closed, to join afresh when it reconnects.
                    logger.warning("The realtime hub lost Redis (%r); retrying", error)
                    await self._lose_listeners()
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self.deliver(message)

    async def _lose_listeners(self) -> None:
        listeners = {member for group in self.members.values() for member in group}
        await asyncio.gather(*(listener.lost() for listener in listeners), return_exceptions=True)

    async def _rejoin(self) -> None:
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            async with self._lock:
                for group in list(self.members):
                    with contextlib.suppress(Exception):
                        await self.layer.group_add(group, self.channel)


async def _stopped(task: asyncio.Task) -> None:
    """Cancel `task` until it has ended: Python 3.11's `asyncio.wait_for`, which redis-py sends
    its commands through, loses a cancellation that arrives just as the command completes."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=0.1)
