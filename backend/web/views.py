"""Stride's own web pages: thin views over the same services as GraphQL and REST.

Writes are plain HTML forms (session and CSRF token), answered with a redirect; a form with
errors is shown again (with 200, as Django's own views do), each error next to its field.
Live parts of a page are "regions":
`?region=<name>` renders one of them alone, which the page's script fetches again when the
notification socket tells of a change (backend/static/web/stride.js).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts import selectors as account_selectors
from backend.accounts import services as accounts
from backend.jobs import services as jobs
from backend.jobs.selectors import job_list
from backend.notifications import selectors as inbox
from backend.notifications.services import mark_notifications_read
from backend.platform import ratelimit
from backend.platform.addresses import client_address
from backend.platform.errors import ConflictError
from backend.projects import services as projects
from backend.projects.models import Project
from backend.projects.selectors import get_project, project_list
from backend.tasks import services as tasks
from backend.tasks.models import Task, TaskStatus
from backend.tasks.selectors import task_list
from backend.web.forms import (
    JobForm,
    LogInForm,
    MemberForm,
    NewTaskForm,
    ProjectForm,
    SignUpForm,
    TaskChangeForm,
    show_errors,
)

RECENT_JOBS = 10
MY_TASKS = 20
RECENT_NOTIFICATIONS = 20


def signed_in(view):
    """Pages for signed-in people; dates shown and read in the person's own time zone.

    A region asked for without a session answers 403 rather than the sign-in page, which the
    script would otherwise paste into the page.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if "region" in request.GET:
                return HttpResponse("Signed out.", status=403, content_type="text/plain")
            return redirect_to_login(request.get_full_path())
        with timezone.override(request.user.time_zone):
            return view(request, *args, **kwargs)

    return wrapper


def counted(view):
    """Writes count against the same rate limits as API requests."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            try:
                ratelimit.check_request(request)
            except ratelimit.RateLimited as refusal:
                return _too_many(request, refusal)
        return view(request, *args, **kwargs)

    return wrapper


def _too_many(request, refusal: ratelimit.RateLimited) -> HttpResponse:
    response = render(request, "web/error.html", {"message": str(refusal)}, status=429)
    response["Retry-After"] = refusal.retry_after
    return response


def page(request, template: str, context: dict, regions: dict[str, Callable[[], dict]]):
    """The whole page, or only the region `?region=` names (rendered from `web/_<name>.html`)."""
    name = request.GET.get("region")
    if name is not None:
        if name not in regions:
            raise Http404("No such region.")
        return render(request, f"web/_{name}.html", {**context, **regions[name]()})
    for build in regions.values():
        context.update(build())
    return render(request, template, context)


def _home_regions(user) -> dict[str, Callable[[], dict]]:
    return {
        "jobs": lambda: {"jobs": list(job_list(user=user)[:RECENT_JOBS])},
        "tasks": lambda: {
            "tasks": list(
                task_list(
                    user=user, assignee_id=user.id, ordering=["status", "due_date"]
                ).select_related("project")[:MY_TASKS]
            )
        },
        "notifications": lambda: {
            "notifications": list(
                inbox.notification_list(user=user).select_related("task")[:RECENT_NOTIFICATIONS]
            ),
            "unread_count": inbox.unread_count(user=user),
        },
    }


def home(request):
    if not request.user.is_authenticated and "region" not in request.GET:
        return render(request, "web/welcome.html")
    return _home(request, JobForm())


@signed_in
def _home(request, job_form):
    return page(request, "web/home.html", {"job_form": job_form}, _home_regions(request.user))


def about(request):
    return render(request, "web/about.html")


@require_http_methods(["GET", "POST"])
@counted
def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.register_user(
                username=data["username"], email=data["email"], password=data["password"]
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Stride, {user.username}.")
            return redirect("web:home")
    return render(request, "web/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
@counted
def log_in(request):
    form = LogInForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        try:
            ratelimit.check_login(request, username)
            user = accounts.check_credentials(
                username=username,
                password=form.cleaned_data["password"],
                address=client_address(request.META),
            )
        except ratelimit.RateLimited as refusal:
            form.add_error(None, str(refusal))
            context = {"form": form, "next": next_url}
            response = render(request, "web/login.html", context, status=429)
            response["Retry-After"] = refusal.retry_after
            return response
        except ValidationError as error:
            form.add_error("password", error)
        else:
            login(request, user)
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = reverse("web:home")
            return redirect(next_url)
    return render(request, "web/login.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def log_out(request):
    if request.method == "POST":
        logout(request)
        messages.info(request, "You are logged out.")
        return redirect("web:login")
    return render(request, "web/logout.html")


@require_POST
@counted
@signed_in
def queue_job(request):
    form = JobForm(request.POST)
    if form.is_valid():
        try:
            job = jobs.submit_job(actor=request.user, title=form.cleaned_data["title"])
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Job “{job.title}” queued.")
            return redirect(f"{reverse('web:home')}#jobs")
    return _home(request, form)


@require_POST
@counted
@signed_in
def mark_read(request):
    ids = [int(value) for value in request.POST.getlist("id") if value.isdigit()]
    mark_notifications_read(user=request.user, ids=ids or None)
    return redirect(f"{reverse('web:home')}#notifications")


@require_http_methods(["GET", "POST"])
@counted
@signed_in
def boards(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = projects.create_project(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Project “{project.name}” created.")
            return redirect("web:board", project_id=project.id)
    context = {"projects": project_list(user=request.user).select_related("owner"), "form": form}
    return render(request, "web/boards.html", context)


def _visible_project(user, project_id) -> Project:
    try:
        return get_project(user=user, project_id=project_id)
    except Project.DoesNotExist:
        raise Http404("No such project.") from None


def _board_regions(request, project, changing=None) -> dict[str, Callable[[], dict]]:
    """The board's columns; `changing` is a task form with errors, shown in place of its own."""

    def columns():
        members = list(project.members.order_by("username"))
        cards = []
        for task in task_list(user=request.user, project_id=project.id, ordering=["-priority"])[
            :500
        ].select_related("assignee", "created_by", "project"):
            form = None
            if task.can_be_changed_by(request.user):
                form = TaskChangeForm(
                    prefix=f"task-{task.id}",
                    members=members,
                    initial={
                        "status": task.status,
                        "assignee_id": task.assignee_id,
                        "version": task.version,
                    },
                )
                if changing is not None and changing.prefix == form.prefix:
                    form = changing
            cards.append((task, form))
        return {
            "members": members,
            "columns": [
                (status, label, [card for card in cards if card[0].status == status])
                for status, label in TaskStatus.choices
            ],
        }

    return {"board": columns}


def _board(request, project, *, task_form=None, member_form=None, changing=None):
    members = project.members.order_by("username")
    context = {
        "project": project,
        "task_form": task_form or NewTaskForm(members=members),
        "member_form": member_form or MemberForm(),
        "may_manage": project.can_be_changed_by(request.user),
    }
    return page(request, "web/board.html", context, _board_regions(request, project, changing))


@require_http_methods(["GET", "POST"])
@counted
@signed_in
def board(request, project_id: int):
    project = _visible_project(request.user, project_id)
    if request.method == "GET":
        return _board(request, project)
    form = NewTaskForm(request.POST, members=project.members.order_by("username"))
    if form.is_valid():
        try:
            task = tasks.create_task(actor=request.user, project_id=project.id, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Task “{task.title}” created.")
            return redirect(task.get_absolute_url())
    return _board(request, project, task_form=form)


@require_POST
@counted
@signed_in
def add_member(request, project_id: int):
    project = _visible_project(request.user, project_id)
    form = MemberForm(request.POST)
    if form.is_valid():
        user = account_selectors.active_user_named(form.cleaned_data["username"])
        try:
            if user is None:
                raise ValidationError({"username": "No such user."})
            projects.add_project_member(actor=request.user, project_id=project.id, user_id=user.id)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect("web:board", project_id=project.id)
        except ValidationError as error:
            show_errors(form, error, {"user_id": "username"})
        else:
            messages.success(request, f"{user.username} is now a member of {project.name}.")
            return redirect("web:board", project_id=project.id)
    return _board(request, project, member_form=form)


@require_POST
@counted
@signed_in
def change_task(request, project_id: int, task_id: int):
    project = _visible_project(request.user, project_id)
    members = project.members.order_by("username")
    form = TaskChangeForm(request.POST, prefix=f"task-{task_id}", members=members)
    if form.is_valid():
        try:
            task = tasks.update_task(actor=request.user, task_id=task_id, **form.cleaned_data)
        except Task.DoesNotExist:
            raise Http404("No such task.") from None
        except (ConflictError, PermissionDenied) as error:
            # Said over the board as it now is, where the change can be made again (or not).
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect(f"{reverse('web:board', args=[project.id])}#task-{task_id}")
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"Task “{task.title}” saved.")
            return redirect(task.get_absolute_url())
    return _board(request, project, changing=form)
