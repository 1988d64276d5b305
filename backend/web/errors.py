"""How the site answers when something goes wrong: not found, a bug, a service down. Under the
APIs' paths in their JSON shapes, elsewhere as pages (handler404/handler500 and a middleware)."""

import sys

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from backend.api.errors import not_found as api_not_found
from backend.platform import outages
from backend.platform.errors import ErrorCode

# Where the REST layer and GraphQL answer: their errors stay JSON (the brief-001 aliases too).
JSON_PREFIXES = ("/api/", "/graphql/", "/projects/", "/tasks/")


def page_not_found(request, exception):
    if request.path.startswith(JSON_PREFIXES):
        return api_not_found(request)
    return render(request, "404.html", status=404)


def server_error(request):
    # Django calls this while handling the exception, which says whether a service is down.
    unavailable = outages.as_unavailable(sys.exc_info()[1])
    if unavailable is not None:
        return service_unavailable(request, unavailable)
    if request.path.startswith(JSON_PREFIXES):
        message, code = "Internal server error.", ErrorCode.INTERNAL_SERVER_ERROR
        if request.path.startswith("/graphql/"):
            body = {"errors": [{"message": message, "extensions": {"code": code}}]}
        else:
            body = {"error": message, "code": code, "field_errors": {}}
        return JsonResponse(body, status=500)
    # Without the request's context: whatever failed (the database, the session) may fail again.
    return HttpResponse(render_to_string("500.html"), status=500)


def service_unavailable(request, unavailable: outages.ServiceUnavailable) -> HttpResponse:
    """503 with Retry-After, as JSON under the APIs' paths and as a page elsewhere: also for an
    outage met outside a view (a session saved by its middleware), past DRF's handler."""
    code = unavailable.code
    if request.path.startswith("/graphql/"):
        extensions = {"code": code, "retryAfter": int(unavailable.retry_after)}
        error = {"message": str(unavailable), "extensions": extensions}
        response = JsonResponse({"errors": [error]})
    elif request.path.startswith(JSON_PREFIXES):
        response = JsonResponse({"error": str(unavailable), "code": code, "field_errors": {}})
    else:
        # Without the request's context: the session and the user need the database.
        response = HttpResponse(render_to_string("503.html", {"unavailable": unavailable}))
    response.status_code = 503
    response["Retry-After"] = unavailable.retry_after
    return response


class AnswersOutagesWith503:
    """Middleware: a view that meets a service down answers 503 (with DEBUG on too, where
    Django would show its error page instead of calling `server_error`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        unavailable = outages.as_unavailable(exception)
        return None if unavailable is None else service_unavailable(request, unavailable)
