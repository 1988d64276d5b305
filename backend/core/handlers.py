"""Django's HTTP handling under ASGI, with the synchronous work of a request done in one go.

Django's own ASGIHandler runs the middleware chain in async mode: every synchronous middleware
method (`process_request`, `process_response`, ...) and each `request_started`/`request_finished`
receiver is sent to a worker thread and back, about fifteen round trips for Stride's chain, and a
fresh worker thread is made for each request. On this 2-core machine that cost ~2.5 ms of CPU
per request before any view ran (a view returning "ok" took ~3 ms; bench/api.py measures the
lists). Every view and middleware here is synchronous, so a request is handled the way a WSGI
server handles it: signals, middleware and view in one call on a pooled worker thread, then the
response is sent from the event loop. The loop's default pool (`min(32, CPUs + 4)` threads) bounds
how many requests a process works on at once, as a threaded WSGI server's thread count does.

WebSocket connections never come here (backend/asgi.py routes them to Channels).
"""

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix


class SynchronousChainASGIHandler(ASGIHandler):
    """An ASGI application serving Django's HTTP views through the synchronous handler path."""

    def __init__(self):
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            # Not thread-sensitive: requests run side by side on the loop's worker threads,
            # each wholly in one thread, as under a threaded WSGI server (a thread's database
            # connection is its own, opened and closed by the request signals).
            response = await sync_to_async(self._respond, thread_sensitive=False)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await sync_to_async(response.close, thread_sensitive=False)()
        finally:
            body_file.close()

    def _respond(self, scope, body_file):
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        response = error_response if request is None else self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            # The body is in memory: what is left to send needs neither the request nor the
            # connections that request_finished returns to the pool.
            response.close()
        return response
