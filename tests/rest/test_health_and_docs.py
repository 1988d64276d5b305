import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.settings import CACHES

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_health_reports_each_service(api):
    response = api.get("/api/health/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_health_is_degraded_when_the_cache_is_down(api):
    # Reads then go to the database: a load balancer must keep sending requests.
    dead = {"default": {**CACHES["default"], "LOCATION": DEAD_REDIS}}
    with override_settings(CACHES=dead):
        response = api.get("/api/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    checks = response.json()["checks"]
    assert (checks["database"]["ok"], checks["cache"]["ok"]) == (True, False)
    assert checks["cache"]["error"] == "ConnectionError"  # no driver text


@override_settings(CELERY_BROKER_URL=DEAD_REDIS)
def test_health_is_degraded_when_the_broker_is_down(api):
    response = api.get("/api/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"]["ok"] is False


def test_openapi_schema_describes_every_endpoint(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/users/register/",
        "/api/users/login/",
        "/api/users/token/refresh/",
        "/api/users/logout/",
        "/api/users/me/",
        "/api/projects/",
        "/api/projects/{id}/",
        "/api/tasks/",
        "/api/tasks/{id}/",
        "/api/tasks/{id}/comments/",
        "/api/tasks/stats/",
        "/api/admin/tasks/",
        "/api/health/",
    ):
        assert path in paths, path
    task_filters = {parameter["name"] for parameter in paths["/api/tasks/"]["get"]["parameters"]}
    assert task_filters >= {
        "status", "priority", "due_before", "due_after", "start_date", "end_date",
        "assignee", "project", "search", "ordering", "page", "page_size",
    }  # fmt: skip
    created = paths["/api/tasks/"]["post"]
    assert "requestBody" in created and "201" in created["responses"]


def test_openapi_schema_offers_bearer_tokens_for_swagger_authorize(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert {"jwtAuth": []} in schema["paths"]["/api/tasks/"]["get"]["security"]
    # Swagger's Authorize dialog lists the schemes in this order: the token box comes first.
    assert next(iter(schema["components"]["securitySchemes"])) == "jwtAuth"
    yaml = api.get("/api/schema/").content.decode()
    schemes = yaml[yaml.index("securitySchemes:") :]
    assert schemes.index("jwtAuth:") < schemes.index("cookieAuth:")


def test_openapi_schema_documents_the_errors_of_every_operation(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"429", "503"} <= set(responses), (method, path)
            if {} not in operation.get("security", [{}]):
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status >= "400" and path != "/api/health/":  # health answers its own shape
                    assert response["content"]["application/json"]["schema"] == error
    task = schema["paths"]["/api/tasks/{id}/"]
    assert {"403", "409", "412"} <= set(task["patch"]["responses"])
    assert "401" in schema["paths"]["/api/users/login/"]["post"]["responses"]


@pytest.mark.parametrize("path", ["/api/docs/"])
def test_swagger_ui_is_served_without_a_cdn(api, path):
    response = api.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn.jsdelivr" not in page


def test_the_openapi_document_generates_without_a_warning():
    """A warning of drf-spectacular means a guessed type: e.g. the report's `by_status` was
    documented as a string while it is a list."""
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=io.StringIO())
