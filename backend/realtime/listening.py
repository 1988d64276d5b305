"""Listening to channel-layer groups in a subscription that joins and leaves groups as it goes.

Strawberry's `listen_to_channel(groups=...)` fixes the groups when a subscription starts, but
"every task I may see" must follow the user into and out of projects. Each subscription is a
listener of its own on the process's hub (backend/realtime/hub.py), so none leaves a group
another still needs (the trap of strawberry-django issue 942).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable

from channels.layers import get_channel_layer

from backend.realtime.hub import hub_for

# The WebSocket close code "Try Again Later": the socket lost the channel layer (Redis is down)
# and heard nothing since. A client may reconnect at once: it is accepted again as soon as
# Redis answers, and catches up on what it missed from the notification inbox.
TRY_AGAIN_LATER = 1013


class Listener:
    """The messages of some types sent to the groups one subscription needs, for a socket
    (`consumer`), which is closed with TRY_AGAIN_LATER when the messages stop coming."""

    def __init__(self, hub, types: Iterable[str], consumer):
        self.hub = hub
        self.types = frozenset(types)
        self.consumer = consumer
        self.queue: asyncio.Queue = asyncio.Queue()
        self.groups: set[str] = set()

    async def lost(self) -> None:
        """The channel layer failed: this socket may have missed messages and will hear no more
        until it joins its groups again, so it is closed for its client to reconnect."""
        await self.consumer.close(code=TRY_AGAIN_LATER, reason="Realtime is unavailable")

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
    """Receive messages of `types` sent to `groups` (more may be joined and left meanwhile);
    raises what the channel layer raised when a group cannot be joined."""
    listener = Listener(hub_for(get_channel_layer()), types, consumer)
    try:
        for group in groups:
            await listener.join(group)
        yield listener
    finally:
        for group in list(listener.groups):
            with contextlib.suppress(Exception):
                await listener.leave(group)
