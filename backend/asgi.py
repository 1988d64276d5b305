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

from backend.realtime.routing import websocket_application  # noqa: E402
from backend.wsgi_under_asgi import WSGIUnderASGI  # noqa: E402
from schema import schema  # noqa: E402
from schema.view import GraphQLApp  # noqa: E402

application = ProtocolTypeRouter(
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

# A web process keeps long-lived objects for each open socket (a thousand sockets hold ~500,000
# objects the collector tracks) and allocates in bursts when one event fans out to all of them.
# With CPython's default thresholds (700, 10, 10) the bursts promoted enough short-lived objects
# to set off a full collection every few seconds, a 300 to 400 ms pause felt by every socket
# waiting on that event (bench/ws_fanout.py: p99 0.4 s at 1,000 subscribers, 0.15 s after).
# Start-up objects (modules, settings, the schema) live as long as the process: frozen out of
# every collection. The young generation is collected after 50,000 net allocations instead of
# 700, so a burst's temporaries are freed by reference counting before a collection can promote
# them; reference cycles still get collected, a little later.
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 20, 10)
