"""Listening to channel-layer groups inside a GraphQL subscription.

Strawberry's `listen_to_channel(groups=...)` fixes a subscription's groups when it starts; a
subscription to "every task I may see" must join and leave project groups as the user joins
and leaves projects. `listen` does that through the process's hub (`backend.realtime.hub`):
each subscription is a listener of its own, so several subscriptions on one socket, or a
thousand sockets in one group, never leave a group another still needs (the trap of
strawberry-django issue 942).

Use it for any subscription fed by `backend.realtime.broadcast`, e.g. job progress:

    async with listen(consumer, types=["job.progress"], groups=[user_group(user.id)]) as inbox:
        async for message in inbox:
            ...
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

from backend.realtime.hub import hub_for


class Listener:
    """The messages of some types sent to the groups one subscription needs."""

    def __init__(self, hub, types: Iterable[str]):
        self.hub = hub
        self.types = frozenset(types)
        self.queue: asyncio.Queue = asyncio.Queue()
        self.groups: set[str] = set()

    async def join(self, group: str) -> None:
        if group in self.groups:
            return
        # Recorded first, so that a join cancelled half-way is still undone on the way out.
        self.groups.add(group)
        await self.hub.join(group, self)

    async def follow(self, change: tuple[bool, str] | None) -> None:
        """Join or leave the group a membership change names (`TaskEventFilter.group_change`)."""
        if change is not None:
            join, group = change
            await (self.join(group) if join else self.leave(group))

    async def leave(self, group: str) -> None:
        if group not in self.groups:
            return
        self.groups.discard(group)
        await self.hub.leave(group, self)

    def __aiter__(self):
        return self

    async def __anext__(self) -> dict:
        return await self.queue.get()


@contextlib.asynccontextmanager
async def listen(
    consumer, *, types: Iterable[str], groups: Iterable[str]
) -> AsyncIterator[Listener]:
    """Receive messages of `types` while in `groups` (more can be joined and left meanwhile),
    on the channel layer of `consumer`."""
    listener = Listener(hub_for(consumer.channel_layer), types)
    try:
        for group in groups:
            await listener.join(group)
        yield listener
    finally:
        for group in list(listener.groups):
            with contextlib.suppress(Exception):
                await listener.leave(group)
