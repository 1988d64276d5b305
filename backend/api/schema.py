"""OpenAPI generation: hooks (SPECTACULAR_SETTINGS) and the description of our authentication."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class CachedJWTScheme(SimpleJWTScheme):
    """The cached JWT authentication is simplejwt's Bearer scheme, for Swagger's Authorize too:
    drf-spectacular matches extensions by exact class, and imports this module with the
    preprocessing hook, before any view is described."""

    target_class = "backend.platform.authentication.CachedJWTAuthentication"


def only_api_paths(endpoints, **kwargs):
    """Document the /api/ routes; the brief-001 aliases are the same endpoints again."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
