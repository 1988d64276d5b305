"""Django's WSGI application served to an ASGI server, one worker-thread call per request.

Django's ASGI handler runs each synchronous middleware method and request signal receiver in a
worker thread and back, about fifteen trips for Stride's middleware; a threaded WSGI server runs
the whole request in one call on a thread, and so does this, through Django's public WSGI
handler. As under any WSGI server, a client that leaves does not cancel its request.
"""

import sys
from tempfile import SpooledTemporaryFile

from asgiref.sync import sync_to_async
from django.conf import settings


class WSGIUnderASGI:
    def __init__(self, wsgi_application):
        self.wsgi_application = wsgi_application

    async def __call__(self, scope, receive, send):
        with SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as body:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body.write(message.get("body", b""))
                if not message.get("more_body"):
                    break
            body.seek(0)
            # Not thread-sensitive: requests run side by side on the pool's threads, each wholly
            # in one thread, with that thread's database connection.
            status, headers, content = await sync_to_async(self._respond, thread_sensitive=False)(
                _environ(scope, body)
            )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def _respond(self, environ) -> tuple[int, list, bytes]:
        started = []

        def start_response(status, headers, exc_info=None):
            started[:] = [int(status.split(" ", 1)[0]), headers]

        result = self.wsgi_application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            # Django's `close()` sends request_finished, which returns the connections.
            if hasattr(result, "close"):
                result.close()
        status, headers = started
        return (
            status,
            [(name.encode("latin1"), value.encode("latin1")) for name, value in headers],
            content,
        )


def _environ(scope, body) -> dict:
    """The WSGI environ of an ASGI HTTP scope (the ASGI specification's WSGI compatibility)."""
    script_name = scope.get("root_path", "").encode("utf8").decode("latin1")
    path = scope["path"].encode("utf8").decode("latin1")
    server_name, server_port = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path.removeprefix(script_name),
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "REMOTE_ADDR": (scope.get("client") or ("",))[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin1").upper().replace("-", "_")
        if name not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = f"HTTP_{name}"
        value = raw_value.decode("latin1")
        environ[name] = f"{environ[name]},{value}" if name in environ else value
    return environ
