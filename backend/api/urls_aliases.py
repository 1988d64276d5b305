"""Brief 001's paths, /projects/... and /tasks/...: the same views as under /api/."""

from rest_framework.routers import SimpleRouter

from backend.api.views import projects, tasks

router = SimpleRouter()
router.register("projects", projects.ProjectViewSet, basename="alias-project")
router.register("tasks", tasks.TaskViewSet, basename="alias-task")

urlpatterns = router.urls
