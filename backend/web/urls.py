"""The web pages (backend/web/views.py); the REST aliases /projects/ and /tasks/ are taken."""

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from backend.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    # Browsers ask for it on every page that names no icon (GraphiQL, the admin, Swagger UI).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("signup/", views.sign_up, name="signup"),
    path("login/", views.log_in, name="login"),
    path("logout/", views.log_out, name="logout"),
    path("jobs/", views.queue_job, name="queue-job"),
    path("notifications/read/", views.mark_read, name="mark-read"),
    path("boards/", views.boards, name="boards"),
    path("boards/<int:project_id>/", views.board, name="board"),
    path("boards/<int:project_id>/members/", views.add_member, name="add-member"),
    path("boards/<int:project_id>/tasks/<int:task_id>/", views.change_task, name="change-task"),
]
