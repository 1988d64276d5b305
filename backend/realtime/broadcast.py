"""Sending to channel-layer groups from synchronous code (services' after-commit subscribers,
Celery tasks). Only event subscribers call this; services and resolvers publish domain events.

A message is a dict whose `type` names what the receiving consumer does with it; types used
here are in `backend.realtime.groups`. For instance, a job's progress reaches its owner's
sockets with `broadcast(user_group(job.owner_id), {"type": "job.progress", ...})`, and a
subscription hears it with `backend.realtime.listening.listen`.

Each message names its group (`ROUTE`): the web process's hub, in the group once for all its
sockets, routes by it (`backend.realtime.hub`).

Channel-layer delivery is at most once (a channel over capacity drops messages), so anything a
user must not miss is also persisted (the notification inbox).
"""

import asyncio
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from backend.realtime.hub import ROUTE


def broadcast(group: str, message: dict) -> None:
    """Send `message` to every socket in `group`, in every web process."""
    broadcast_many([group], message)


def broadcast_many(groups: Iterable[str], message: dict) -> None:
    """Send `message` to several groups in one trip to the event loop."""
    groups = list(groups)
    if groups:
        async_to_sync(_send)(groups, message)


async def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    # Concurrently: each group_send is several Redis round trips, and the request waits.
    await asyncio.gather(*(layer.group_send(group, {**message, ROUTE: group}) for group in groups))
