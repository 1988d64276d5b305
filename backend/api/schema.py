"""OpenAPI generation hooks (SPECTACULAR_SETTINGS)."""


def only_api_paths(endpoints, **kwargs):
    """Document the /api/ routes; the brief-001 aliases are the same endpoints again."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
