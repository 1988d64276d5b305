"""Sending to channel-layer groups from synchronous code; only domain-event subscribers call it.

Each message carries its group (`ROUTE`), by which the web process's hub routes it
(backend/realtime/hub.py). Delivery is at most once (a channel over capacity drops messages),
so what a user must not miss is also persisted (the notification inbox).
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
