"""OpenAPI generation: hooks (SPECTACULAR_SETTINGS) and the description of our authentication."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme

from backend.platform.errors import ErrorCode


class CachedJWTScheme(SimpleJWTScheme):
    """The cached JWT authentication is simplejwt's Bearer scheme, for Swagger's Authorize too:
    drf-spectacular matches extensions by exact class, and imports this module with the
    preprocessing hook, before any view is described."""

    target_class = "backend.platform.authentication.CachedJWTAuthentication"


def only_api_paths(endpoints, **kwargs):
    """Document the /api/ routes; the brief-001 aliases are the same endpoints again."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


# The errors an operation can answer besides its own responses, by what it takes (drf-spectacular
# documents only what a view declares). Every one has the shape of backend/api/errors.py.
ERRORS = {
    "400": "Invalid input: `field_errors` names each field and what is wrong with it.",
    "401": "No valid access token: send `Authorization: Bearer <access>` (sign in for one).",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or one you may not see (the two are never told apart).",
    "409": "The object changed since the `version` you sent: read it again.",
    "412": "The object changed since the ETag you sent in `If-Match`: read it again.",
    "413": "The request body is larger than the server accepts.",
    "429": "Too many requests: wait for the seconds in `Retry-After`.",
    "503": "A service Stride needs is unavailable: retry after `Retry-After` seconds.",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "What went wrong, for people."},
        "code": {
            "type": "string",
            "enum": [code.value for code in ErrorCode],
            "description": "What went wrong, for programs: the same codes as GraphQL's.",
        },
        "field_errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "For each invalid field (dotted when nested), its problems.",
        },
    },
    "required": ["error", "code", "field_errors"],
}


def _possible_errors(path: str, method: str, operation: dict) -> list[str]:
    security = operation.get("security", [{}])
    signed_in = {} not in security  # an empty requirement: anonymous callers are served
    queries = [
        parameter for parameter in operation.get("parameters", []) if parameter["in"] == "query"
    ]
    headers = {parameter["name"] for parameter in operation.get("parameters", [])}
    on_an_object = "{" in path
    possible = ["429", "503"]
    if "requestBody" in operation or queries:
        possible.append("400")
    if signed_in:
        possible.append("401")
        if (method != "get" and on_an_object) or path.startswith("/api/admin/"):
            possible.append("403")
    if on_an_object:
        possible.append("404")
    if "If-Match" in headers:
        possible += ["409", "412"]
    if "requestBody" in operation:
        possible.append("413")
    return possible


def document_errors(result, generator, request, public):
    """Every operation's error responses, and Bearer first in Swagger's Authorize dialog."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    schemes = components.get("securitySchemes", {})
    components["securitySchemes"] = dict(
        sorted(schemes.items(), key=lambda item: item[1].get("scheme") != "bearer")
    )
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _possible_errors(path, method, operation):
                responses.setdefault(status, {"description": ERRORS[status]})
            for status, response in responses.items():
                if status >= "400" and "content" not in response:
                    response["content"] = error
            operation["responses"] = dict(sorted(responses.items()))
    return result
