from django.contrib import admin
from django.urls import include, path

from backend.platform.metrics_view import metrics_view
from schema import schema
from schema.view import graphql_view

urlpatterns = [
    path("admin/", admin.site.urls),
    # For operators only (backend/platform/metrics_view.py); 404 for anyone else.
    path("metrics", metrics_view, name="metrics"),
    # Under ASGI, backend/asgi.py serves this path before Django (schema.view.GraphQLApp).
    path("graphql/", graphql_view(schema), name="graphql"),
    path("api/", include("backend.api.urls")),
    path("", include("backend.api.urls_aliases")),
    path("", include("backend.web.urls")),
]

# JSON under /api/ and /graphql/, pages in the site's style elsewhere.
handler404 = "backend.web.errors.page_not_found"
handler500 = "backend.web.errors.server_error"
