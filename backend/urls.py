from django.contrib import admin
from django.urls import include, path

from schema import schema
from schema.http import GraphQLView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", GraphQLView.as_view(schema=schema), name="graphql"),
    path("api/", include("backend.api.urls")),
    path("", include("backend.api.urls_aliases")),
]
