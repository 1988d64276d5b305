"""The ASGI entry point: GraphQL over HTTP to its own application, other HTTP to Django (through
its WSGI handler, backend/wsgi_under_asgi.py), WebSocket to Channels."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django.setup(set_prefix=False)

# These need Django set up first.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path, re_path  # noqa: E402

from backend.platform import tracing  # noqa: E402
from backend.platform.observed import Observed  # noqa: E402
from backend.realtime.routing import websocket_application  # noqa: E402
from backend.wsgi_under_asgi import WSGIUnderASGI  # noqa: E402
from schema import schema  # noqa: E402
from schema.view import GraphQLApp  # noqa: E402


def build_application():
    # A request id, a log line and metrics for every request and socket (backend/platform/
    # observed.py); a trace too when TRACING is on (backend/platform/tracing.py).
    return tracing.traced(
        Observed(
            ProtocolTypeRouter(
                {
                    "http": URLRouter(
                        [
                            # Async up to execution, without Django's middleware (schema/view.py).
                            path("graphql/", GraphQLApp(schema)),
                            re_path(r"", WSGIUnderASGI(get_wsgi_application())),
                        ]
                    ),
                    "websocket": websocket_application(schema),
                }
            )
        )
    )


# Before the application is built: Django's instrumentation adds a middleware.
tracing.configure()
application = build_application()

# An event fanned out to many sockets allocates in a burst, which CPython's default thresholds
# answer with full collections that pause every socket: start-up objects are frozen out of
# them, and the young generation is collected rarely enough for reference counting to go first.
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 20, 10)
