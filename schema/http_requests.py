"""Reading a GraphQL-over-HTTP request: its media type, and its parameters from GET or POST.

Each failure is a RequestError with the HTTP status the specification gives it (schema/view.py
answers them).
"""

import json

from django.conf import settings

from schema.text import first_surrogate

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


class RequestError(Exception):
    """The request cannot be executed; `status` is used with graphql-response+json."""

    def __init__(
        self, message: str, status: int = 400, headers: dict | None = None, code: str = ""
    ):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}
        self.code = code


def negotiate(accept_header: str) -> str | None:
    """The response media type for an Accept header, or None when we can offer none."""
    if not accept_header.strip():
        return JSON
    accepted = {}
    for part in accept_header.split(","):
        media_type, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type:
            accepted[media_type.lower()] = quality
    graphql_q = accepted.get(GRAPHQL_RESPONSE, 0.0)
    json_q = max(
        accepted.get(JSON, 0.0), accepted.get("application/*", 0.0), accepted.get("*/*", 0.0)
    )
    if graphql_q > 0 and graphql_q >= json_q:
        return GRAPHQL_RESPONSE
    if json_q > 0:
        return JSON
    return None


def parameters(request) -> dict | list:
    """The request's parameters; a list for a batch (each element checked on its own)."""
    if request.method == "GET":
        params = {name: request.query_params.get(name) for name in ("query", "operationName")}
        for name in ("variables", "extensions"):
            raw = request.query_params.get(name)
            params[name] = decode_json(raw, name) if raw else None
    else:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            got = content_type or "no content type"
            raise RequestError(f"Send the request as {JSON} (got {got}).", 415)
        if request.body is None:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            raise RequestError(f"The request body is larger than {limit} bytes.", 413)
        if not request.body:
            raise RequestError("The request body is empty; send a JSON object with a query.")
        params = decode_json(request.body, "body")
        if isinstance(params, list):
            return params
        if not isinstance(params, dict):
            raise RequestError("The request body must be a JSON object.")
    check_parameters(params)
    return params


def check_parameters(params: dict) -> None:
    for name, kind, description in (
        ("query", str, "a string"),
        ("operationName", str, "a string or null"),
        ("variables", dict, "an object or null"),
        ("extensions", dict, "an object or null"),
    ):
        value = params.get(name)
        if value is not None and not isinstance(value, kind):
            raise RequestError(f"The '{name}' parameter must be {description}.")
    # Lone surrogates (JSON's "\ud800") are not Unicode text: nothing could store them, and an
    # error message quoting one could not even be encoded.
    surrogate = first_surrogate(params)
    if surrogate is not None:
        raise RequestError(surrogate)


def check_operation(params: dict) -> None:
    if params.get("query") is None:
        raise RequestError("No GraphQL document found: the 'query' parameter is missing.")


def decode_json(raw, name):
    what = "request body" if name == "body" else f"'{name}' parameter"
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise RequestError(f"The {what} is not valid JSON.") from None
    except RecursionError:
        # A few kilobytes of `[[[[...` exhaust Python's stack in the JSON decoder.
        raise RequestError(f"The {what} nests too deeply.") from None
