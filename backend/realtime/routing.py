"""The WebSocket side of the ASGI application."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from backend.realtime.consumers import GraphQLSocketConsumer, NotificationSocketConsumer


class BrowserOriginValidator(OriginValidator):
    """Refuses cross-site pages (which would act with the visitor's session cookie).

    Browsers always send `Origin` on a WebSocket handshake; other clients send none and
    authenticate with a token, so only an `Origin` that is present is checked.
    """

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or self.validate_origin(parsed_origin)


def websocket_application(schema):
    allowed_origins = [*settings.ALLOWED_HOSTS, *settings.CORS_ALLOWED_ORIGINS]
    if settings.CORS_ALLOW_ALL_ORIGINS:
        allowed_origins = ["*"]
    return BrowserOriginValidator(
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
        ),
        allowed_origins,
    )
