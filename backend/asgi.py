"""The ASGI entry point: HTTP goes to Django; WebSocket routes join here as they arrive."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django_application = get_asgi_application()

# These need Django set up first.
from channels.routing import ProtocolTypeRouter  # noqa: E402

from backend.realtime.routing import websocket_application  # noqa: E402
from schema import schema  # noqa: E402

application = ProtocolTypeRouter(
    {"http": django_application, "websocket": websocket_application(schema)}
)
