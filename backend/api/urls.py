"""REST routes, under /api/ (backend/urls.py)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from backend.api.errors import not_found
from backend.api.views import accounts, ingestion, jobs, operations, projects, tasks

router = SimpleRouter()
router.register("projects", projects.ProjectViewSet, basename="project")
router.register("tasks", tasks.TaskViewSet, basename="task")
router.register("jobs", jobs.JobViewSet, basename="job")

urlpatterns = [
    path("users/register/", accounts.RegisterView.as_view(), name="register"),
    path("users/login/", accounts.LoginView.as_view(), name="login"),
    path("users/token/refresh/", accounts.RefreshView.as_view(), name="token-refresh"),
    path("users/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("users/me/", accounts.MeView.as_view(), name="me"),
    path("admin/tasks/", tasks.AdminTaskListView.as_view(), name="admin-tasks"),
    path("data/ingest/", ingestion.IngestView.as_view(), name="ingest"),
    path("data/status/<str:job_id>/", ingestion.IngestStatusView.as_view(), name="ingest-status"),
    path("health/", operations.HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    *router.urls,
    # Anything else under /api/ is an unknown endpoint, answered as JSON whatever the method.
    re_path(r"^", not_found),
]
