"""Listening to channel-layer groups inside a GraphQL subscription, on Strawberry's consumer.

Strawberry's `listen_to_channel(groups=...)` fixes a subscription's groups when it starts; a
subscription to "every task I may see" must join and leave project groups as the user joins
and leaves projects. `listen` does that, counting group references in the same counter as
Strawberry does: several subscriptions on one socket share one channel name, and a group is
discarded only when the last subscription that needs it ends (strawberry-django issue 942).

Use it for any subscription fed by `backend.realtime.broadcast`, e.g. job progress:

    async with listen(consumer, types=["job.progress"], groups=[user_group(user.id)]) as inbox:
        async for message in inbox:
            ...
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable


class Listener:
    """The messages of some types reaching one socket, and the groups one subscription needs."""

    def __init__(self, consumer):
        self.consumer = consumer
        self.queue: asyncio.Queue = asyncio.Queue()
        self.groups: set[str] = set()

    async def join(self, group: str) -> None:
        if group in self.groups:
            return
        async with self.consumer._group_lock:
            # Added even when already counted: channels-redis expires memberships on its own.
            await self.consumer.channel_layer.group_add(group, self.consumer.channel_name)
            self.consumer._group_refs[group] += 1
        self.groups.add(group)

    async def leave(self, group: str) -> None:
        if group not in self.groups:
            return
        self.groups.discard(group)
        async with self.consumer._group_lock:
            self.consumer._group_refs[group] -= 1
            if self.consumer._group_refs[group] <= 0:
                del self.consumer._group_refs[group]
                await self.consumer.channel_layer.group_discard(group, self.consumer.channel_name)

    def __aiter__(self):
        return self

    async def __anext__(self) -> dict:
        return await self.queue.get()


@contextlib.asynccontextmanager
async def listen(
    consumer, *, types: Iterable[str], groups: Iterable[str]
) -> AsyncIterator[Listener]:
    """Receive messages of `types` while in `groups` (more can be joined and left meanwhile)."""
    listener = Listener(consumer)
    types = list(types)
    for message_type in types:
        consumer.listen_queues[message_type].add(listener.queue)
    try:
        for group in groups:
            await listener.join(group)
        yield listener
    finally:
        for message_type in types:
            consumer.listen_queues[message_type].discard(listener.queue)
        for group in list(listener.groups):
            with contextlib.suppress(Exception):
                await listener.leave(group)
