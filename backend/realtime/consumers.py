"""The WebSocket endpoints: GraphQL subscriptions on /graphql/ and the plain JSON socket."""

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from strawberry.channels import GraphQLWSConsumer
from strawberry.exceptions import ConnectionRejectionError

from backend.platform import outages
from backend.realtime.auth import TokenHolder, holder_of_access_token, holder_of_bearer_token
from backend.realtime.groups import (
    MEMBERSHIP_CHANGED,
    NOTIFICATION_CREATED,
    TASK_CHANGED,
    TaskEventFilter,
    task_groups,
)
from backend.realtime.hub import ROUTE
from backend.realtime.jobs import JOB_PROGRESS
from backend.realtime.listening import TRY_AGAIN_LATER, Listener, listen
from schema.shared_events import shared_result_json

logger = logging.getLogger(__name__)

# What the plain socket tells: task changes, notifications, the user's memberships and jobs.
LISTENED_TYPES = (TASK_CHANGED, MEMBERSHIP_CHANGED, NOTIFICATION_CREATED, JOB_PROGRESS)

# Closing a socket with this code means "who you are may not connect" (as graphql-transport-ws
# does); closing before the handshake completes answers it with HTTP 403.
FORBIDDEN = 4403
# The server met an unexpected condition; the client may reconnect.
INTERNAL_ERROR = 1011
# Sockets hear events through their process's hub (backend/realtime/hub.py), never on a channel
# of their own: Channels would give each one a receive loop on Redis, which also ends the socket
# with 1011 when Redis goes away, where the hub closes it with TRY_AGAIN_LATER.
NO_CHANNEL_OF_ITS_OWN = "no channel layer"


class ClosesOnce:
    """The first close of a socket stands: the hub may tell a socket more than once that it
    lost the channel layer, and a socket closed for an expired token may be told too."""

    _closed_with: int | None = None

    async def close(self, code=None, reason=None):
        if self._closed_with is not None:
            return
        self._closed_with = code or 1000
        await super().close(code=code, reason=reason)


class ClosesWhenTokenExpires:
    """A socket opened with an access token is closed (4403) when that token expires.

    A socket must not outlive its credentials: a deactivated user, or one whose password
    changed, is heard no more than JWT_ACCESS_MINUTES later. Clients reconnect with a fresh
    token (graphql-ws calls a `connectionParams` function again) and catch up from the inbox.
    """

    _token_expiry: asyncio.TimerHandle | None = None

    def close_when_token_expires(self, holder: TokenHolder) -> None:
        self._token_expiry = asyncio.get_running_loop().call_later(
            max(0.0, holder.seconds_left()),
            lambda: asyncio.ensure_future(self.close(code=FORBIDDEN, reason="Token expired")),
        )

    def forget_token(self) -> None:
        if self._token_expiry is not None:
            self._token_expiry.cancel()


@dataclass
class SocketContext:
    """A resolver's context over WebSocket: `request.user` is the user, as over HTTP. Strawberry
    makes one per socket, so `loaders` holds the DataLoaders of its viewer (schema/dataloaders.py).
    """

    request: "GraphQLSocketConsumer"
    connection_params: dict | None = None
    loaders: dict = field(default_factory=dict)

    @property
    def ws(self):
        return self.request


class GraphQLSocketConsumer(ClosesOnce, ClosesWhenTokenExpires, GraphQLWSConsumer):
    """GraphQL over WebSocket (graphql-transport-ws and graphql-ws), as the user of the
    `authorization` entry of `connection_init`'s payload, else of the browser's session."""

    channel_layer_alias = NO_CHANNEL_OF_ITS_OWN
    _refused_for_an_outage = False

    async def connect(self):
        self.user = self.scope["user"]
        await super().connect()

    def encode_json(self, data: object) -> str:
        """A subscription event's shared result is serialized once (schema/shared_events.py)."""
        return shared_result_json(data) or super().encode_json(data)

    async def get_context(self, request, response) -> SocketContext:
        return SocketContext(request=request)

    async def on_ws_connect(self, context: SocketContext):
        try:
            return await self._authenticate(context)
        except Exception as error:
            unavailable = outages.as_unavailable(error)
            if unavailable is None:
                raise
            self._refused_for_an_outage = True
            raise ConnectionRejectionError(
                {"message": str(unavailable), "code": unavailable.code}
            ) from None

    async def close(self, code=None, reason=None):
        if self._refused_for_an_outage:
            # Strawberry closes a refused connection as forbidden (4403; graphql-ws: 1011 after
            # a `connection_error` with the payload above); this one may try again.
            code, reason = TRY_AGAIN_LATER, "Service unavailable"
        await super().close(code=code, reason=reason)

    async def _authenticate(self, context: SocketContext):
        params = context.connection_params or {}
        header = next((v for k, v in params.items() if k.lower() == "authorization"), None)
        if header is None:
            if self.user.is_authenticated:
                return await super().on_ws_connect(context)
            raise ConnectionRejectionError(
                {"message": "Authentication required: send {'authorization': 'Bearer <access>'}."}
            )
        holder = await database_sync_to_async(holder_of_bearer_token)(header)
        if holder is None:
            raise ConnectionRejectionError(
                {"message": "The token is invalid or expired. Sign in again or refresh it."}
            )
        self.user = holder.user
        self.close_when_token_expires(holder)
        return await super().on_ws_connect(context)

    async def disconnect(self, code):
        self.forget_token()
        await super().disconnect(code)


class NotificationSocketConsumer(ClosesOnce, ClosesWhenTokenExpires, AsyncJsonWebsocketConsumer):
    """/ws/notifications/: the same events as plain JSON, `{"type": "task.updated", ...}`.

    Authenticated by `?token=<access>` or the browser's session. It listens through the
    process's hub, not as a group member of its own: that costs a receive loop per socket, and
    channels-redis forgets a member after a day, leaving the socket open but deaf.
    """

    channel_layer_alias = NO_CHANNEL_OF_ITS_OWN
    _listening: asyncio.Task | None = None
    _subscriptions: contextlib.AsyncExitStack | None = None

    async def connect(self):
        try:
            inbox = await self._open()
        except Exception as error:
            # Refused rather than opened deaf: the client retries, and catches up then. Opened
            # first, so that the client reads the close code (before the handshake completes,
            # a close is an HTTP 403).
            await self.accept()
            if outages.unavailable_service(error) is not None:
                await self.close(code=TRY_AGAIN_LATER)
                return
            logger.exception("The notification socket could not listen")
            await self.close(code=INTERNAL_ERROR)
            return
        if inbox is None:
            await self.close(code=FORBIDDEN)
            return
        await self.accept()
        if self.holder is not None:
            self.close_when_token_expires(self.holder)
        self._listening = asyncio.create_task(self._listen(inbox))

    async def _open(self) -> Listener | None:
        """Listening to the user's groups; None when nobody is signed in."""
        user, self.holder = await self._authenticate()
        if user is None:
            return None
        self.user = user
        self.task_events = TaskEventFilter(user)
        # Among them the user's own group, which also carries notifications, memberships and
        # the progress of their jobs.
        groups = await database_sync_to_async(task_groups)(user=user)
        # Joined before the handshake completes: a client that reads the current state once the
        # socket is open (a web page catching up) hears of every change made after that read.
        self._subscriptions = contextlib.AsyncExitStack()
        return await self._subscriptions.enter_async_context(
            listen(self, types=LISTENED_TYPES, groups=groups)
        )

    async def disconnect(self, code):
        self.forget_token()
        if self._listening is not None:
            self._listening.cancel()
            # Awaited, so that the hub's groups are left before the consumer ends.
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
        if self._subscriptions is not None:
            await self._subscriptions.aclose()

    async def _authenticate(self) -> tuple[object | None, TokenHolder | None]:
        """The user, and the token's holder when a token was sent (not for a session)."""
        token = parse_qs(self.scope["query_string"].decode("latin1")).get("token")
        if token:
            holder = await database_sync_to_async(holder_of_access_token)(token[0])
            return (holder.user, holder) if holder is not None else (None, None)
        user = self.scope.get("user")
        return (user, None) if user is not None and user.is_authenticated else (None, None)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Clients only listen; anything they send, JSON or not, is ignored."""

    async def _listen(self, inbox: Listener) -> None:
        try:
            async for message in inbox:
                await self._tell(inbox, message)
        except Exception:
            # An open socket that hears nothing looks healthy to its client: close it, so that
            # the client reconnects and catches up from the inbox.
            logger.exception("The notification socket of user %s stopped listening", self.user.id)
            await self.close(code=INTERNAL_ERROR)

    async def _tell(self, inbox: Listener, message: dict) -> None:
        if message["type"] == TASK_CHANGED:
            if self.task_events.admits(message):
                await self.send_json(
                    {
                        "type": message["kind"],
                        "task": message["task"],
                        "project_id": message["project_id"],
                        "actor": message["actor"],
                    }
                )
        elif message["type"] == NOTIFICATION_CREATED:
            await self.send_json({"type": "notification.created", **_payload(message)})
        elif message["type"] == JOB_PROGRESS:
            await self.send_json({"type": JOB_PROGRESS, "job": _job(message)})
        else:
            await inbox.follow(self.task_events.group_change(message))
            if message["user_id"] == self.user.id:
                await self.send_json({"type": message["kind"], "project_id": message["project_id"]})


def _job(message: dict) -> dict:
    return {
        "id": message["job_id"],
        **{key: message[key] for key in ("kind", "status", "progress", "attempts", "deleted")},
    }


def _payload(message: dict) -> dict:
    """What the client is told: neither the handler's `type` nor the hub's route."""
    return {key: value for key, value in message.items() if key not in ("type", ROUTE)}
