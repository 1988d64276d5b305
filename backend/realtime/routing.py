"""The WebSocket side of the ASGI application."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from backend.platform import outages
from backend.realtime.consumers import GraphQLSocketConsumer, NotificationSocketConsumer
from backend.realtime.listening import TRY_AGAIN_LATER


class BrowserOriginValidator(OriginValidator):
    """Refuses cross-site pages (which would act with the visitor's session cookie).

    Browsers always send `Origin` on a WebSocket handshake; other clients send none and
    authenticate with a token, so only an `Origin` that is present is checked.
    """

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or self.validate_origin(parsed_origin)


class TryAgainDuringOutages:
    """A handshake that meets a service down before a consumer runs (the browser session's user,
    read from the database by AuthMiddlewareStack) is opened and closed with 1013, as the
    consumers close theirs, rather than ending as an error of the server."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        started = False

        async def send_noting_the_start(message):
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, send_noting_the_start)
        except Exception as error:
            if started or outages.unavailable_service(error) is None:
                raise
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})


def websocket_application(schema):
    allowed_origins = [*settings.ALLOWED_HOSTS, *settings.CORS_ALLOWED_ORIGINS]
    if settings.CORS_ALLOW_ALL_ORIGINS:
        allowed_origins = ["*"]
    return BrowserOriginValidator(
        TryAgainDuringOutages(
            AuthMiddlewareStack(
                URLRouter(
                    [
                        path(
                            "graphql/",
                            # The origin was checked above, for both endpoints alike.
                            GraphQLSocketConsumer.as_asgi(schema=schema, allowed_origins=["*"]),
                        ),
                        path("ws/notifications/", NotificationSocketConsumer.as_asgi()),
                    ]
                )
            )
        ),
        allowed_origins,
    )
