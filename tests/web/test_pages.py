"""The web pages through Django's test client: forms, rules, errors and the live regions'
endpoint. What a browser shows and does live is in test_browser.py."""

import json
import re

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from backend.jobs.models import Job
from backend.notifications.models import Notification
from backend.notifications.services import notify
from backend.projects.models import Membership
from backend.tasks.models import Task, TaskStatus
from backend.tasks.services import update_task
from backend.web.errors import server_error
from scripts.run import site_url

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def error_of(response, field_id: str) -> str:
    """The error shown next to a field (Django renders it with the field's id + `_error`)."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', response.text)
    assert match, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


def test_a_visitor_is_invited_to_sign_up_or_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/signup/"' in response.text
    assert 'href="/login/"' in response.text
    assert "data-socket" not in response.text


def test_signing_up_signs_in_and_shows_the_username(client):
    response = client.post(
        "/signup/",
        {
            "username": "carol",
            "email": "Carol@Example.com",
            "password": "correct-horse-battery",
            "password2": "correct-horse-battery",
        },
        follow=True,
    )
    assert response.redirect_chain == [("/", 302)]
    assert '<strong id="username">carol</strong>' in response.text
    assert 'data-socket="/ws/notifications/"' in response.text
    assert response.wsgi_request.user.email == "carol@example.com"


def test_sign_up_errors_are_shown_next_to_their_fields(client, alice):
    response = client.post(
        "/signup/",
        {"username": "ALICE", "email": "not an address", "password": "123", "password2": "1234"},
    )
    assert response.status_code == 200
    assert "valid email" in error_of(response, "id_email")
    assert "differ" in error_of(response, "id_password2")
    assert 'aria-invalid="true"' in response.text

    # The service's own rules (the same as REST and GraphQL register), once the form is whole.
    response = client.post(
        "/signup/",
        {"username": "ALICE", "email": "a@example.com", "password": "123", "password2": "123"},
    )
    assert "too short" in error_of(response, "id_password")
    response = client.post(
        "/signup/",
        {
            "username": "ALICE",
            "email": "a@example.com",
            "password": "correct-horse-battery",
            "password2": "correct-horse-battery",
        },
    )
    assert "already exists" in error_of(response, "id_username")
    assert not response.wsgi_request.user.is_authenticated


def test_a_wrong_password_is_said_next_to_the_password(client, alice):
    response = client.post("/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "No active account" in error_of(response, "id_password")
    assert not response.wsgi_request.user.is_authenticated


def test_log_in_goes_back_to_the_page_asked_for_but_never_to_another_site(client, alice):
    response = client.get("/boards/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/boards/"
    form = {"username": "Alice", "password": "pw-for-tests-1"}
    response = client.post("/login/", {**form, "next": "/boards/"})
    assert response["Location"] == "/boards/"
    response = client.post("/login/", {**form, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_sign_in_attempts_are_limited_as_over_the_api(client, alice, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_username": "2/min",
        },
    }
    for _ in range(2):
        client.post("/login/", {"username": "alice", "password": "nope"})
    response = client.post("/login/", {"username": "alice", "password": "pw-for-tests-1"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_forms_need_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alice", "password": "pw-for-tests-1"})
    assert response.status_code == 403
    client.force_login(alice)
    assert client.post("/jobs/", {"title": "Sneaky"}).status_code == 403
    assert not Job.objects.exists()


def test_logging_out_takes_a_post(alice):
    client = signed_in(alice)
    response = client.get("/logout/")
    assert response.status_code == 200
    assert client.get("/boards/").status_code == 200
    response = client.post("/logout/", follow=True)
    assert response.redirect_chain == [("/login/", 302)]
    assert "You are logged out." in response.text
    assert client.get("/boards/").status_code == 302


def test_queueing_a_job_submits_it_for_the_user_and_says_so(alice):
    client = signed_in(alice)
    response = client.post("/jobs/", {"title": "Crunch"}, follow=True)
    job = Job.objects.get()
    assert (job.owner, job.title, job.status) == (alice, "Crunch", "PENDING")
    assert "Job “Crunch” queued." in response.text
    assert f'id="job-{job.id}" data-status="PENDING"' in response.text


def test_a_job_without_title_is_refused_next_to_the_field(alice):
    response = signed_in(alice).post("/jobs/", {"title": "  "})
    assert response.status_code == 200
    assert "required" in error_of(response, "id_title")
    assert not Job.objects.exists()


def test_marking_read_marks_only_ones_own(alice, bob):
    mine = notify(user_id=alice.id, kind="job_finished", message="Mine")
    other = notify(user_id=alice.id, kind="job_finished", message="Other")
    bobs = notify(user_id=bob.id, kind="job_finished", message="Bob's")
    client = signed_in(alice)

    client.post("/notifications/read/", {"id": [str(mine.id), str(bobs.id)]})
    assert set(Notification.objects.unread().values_list("id", flat=True)) == {other.id, bobs.id}
    client.post("/notifications/read/")
    assert list(Notification.objects.unread().values_list("id", flat=True)) == [bobs.id]


def test_a_region_is_the_part_of_the_page_a_script_fetches_again(alice):
    notify(user_id=alice.id, kind="job_finished", message="Done")
    client = signed_in(alice)
    response = client.get("/?region=notifications")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<h2 id="notifications-title">')
    assert "Done" in response.text
    assert "<html" not in response.text
    assert client.get("/?region=nonsense").status_code == 404


def test_a_region_asked_for_without_a_session_is_refused_not_redirected(client):
    response = client.get("/?region=jobs")
    assert response.status_code == 403
    assert client.get("/boards/1/?region=board").status_code == 403


def test_the_board_of_a_project_one_is_not_in_is_not_found(mallory, project):
    response = signed_in(mallory).get(f"/boards/{project.id}/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert signed_in(mallory).get("/boards/").status_code == 200


def test_a_member_creates_and_assigns_a_task_on_the_board(bob, project):
    response = signed_in(bob).post(
        f"/boards/{project.id}/",
        {"title": "Print flyers", "priority": "high", "due_date": "", "assignee_id": bob.id},
    )
    task = Task.objects.get(title="Print flyers")
    assert response["Location"] == f"/boards/{project.id}/#task-{task.id}"
    assert (task.project, task.created_by, task.assignee, task.priority) == (
        project,
        bob,
        bob,
        "high",
    )


def test_only_members_can_be_assigned_on_the_board(alice, mallory, project):
    response = signed_in(alice).post(
        f"/boards/{project.id}/",
        {"title": "Secret", "priority": "low", "assignee_id": mallory.id},
    )
    assert response.status_code == 200
    assert "valid choice" in error_of(response, "id_assignee_id")
    assert not Task.objects.filter(title="Secret").exists()


def test_due_dates_are_read_in_the_users_time_zone(alice, project):
    alice.time_zone = "Europe/Paris"
    alice.save()
    signed_in(alice).post(
        f"/boards/{project.id}/",
        {"title": "Lunch", "priority": "low", "due_date": "2030-06-01T12:30"},
    )
    due = Task.objects.get(title="Lunch").due_date
    assert due.isoformat() == "2030-06-01T10:30:00+00:00"


def test_changing_a_task_status_and_assignee(alice, bob, project, task):
    prefix = f"task-{task.id}"
    response = signed_in(alice).post(
        f"/boards/{project.id}/tasks/{task.id}/",
        {
            f"{prefix}-status": "in_progress",
            f"{prefix}-assignee_id": bob.id,
            f"{prefix}-version": 1,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.assignee, task.version) == (TaskStatus.IN_PROGRESS, bob, 2)


def test_a_change_made_on_a_stale_page_is_refused_with_the_reason(alice, bob, project, task):
    update_task(actor=alice, task_id=task.id, title="Changed meanwhile")
    prefix = f"task-{task.id}"
    response = signed_in(alice).post(
        f"/boards/{project.id}/tasks/{task.id}/",
        {f"{prefix}-status": "completed", f"{prefix}-assignee_id": "", f"{prefix}-version": 1},
        follow=True,
    )
    assert "changed by someone else (now at version 2)" in response.text
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_a_member_who_may_not_change_a_task_is_told_so(bob, project, task):
    prefix = f"task-{task.id}"
    response = signed_in(bob).post(
        f"/boards/{project.id}/tasks/{task.id}/",
        {f"{prefix}-status": "completed", f"{prefix}-assignee_id": "", f"{prefix}-version": 1},
        follow=True,
    )
    assert "You may not change this task." in response.text
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING


def test_the_owner_adds_a_member_by_username(alice, mallory, project, bob):
    client = signed_in(alice)
    response = client.post(f"/boards/{project.id}/members/", {"username": "nobody"})
    assert "No such user." in error_of(response, "id_username")
    client.post(f"/boards/{project.id}/members/", {"username": "Mallory"})
    assert Membership.objects.filter(project=project, user=mallory).exists()

    response = signed_in(bob).post(
        f"/boards/{project.id}/members/", {"username": "alice"}, follow=True
    )
    assert "Only the project owner" in response.text


def test_creating_a_project_opens_its_board(alice):
    response = signed_in(alice).post("/boards/", {"name": "Garden", "description": ""})
    project = alice.owned_projects.get(name="Garden")
    assert response["Location"] == f"/boards/{project.id}/"


def test_writes_count_against_the_rate_limits_of_the_api(alice, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "1/min",
        },
    }
    client = signed_in(alice)
    assert client.post("/jobs/", {"title": "One"}).status_code == 302
    response = client.post("/jobs/", {"title": "Two"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert Job.objects.count() == 1


@override_settings(DEBUG=False)
def test_not_found_is_a_page_outside_the_apis_and_json_inside(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert "Page not found" in page.text
    assert 'href="/static/web/stride.css"' in page.text
    for path in ("/api/no-such-endpoint/", "/tasks/no/such/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


def test_a_server_error_is_a_page_outside_the_apis_and_json_inside():
    factory = RequestFactory()
    page = server_error(factory.get("/boards/"))
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()
    api = server_error(factory.get("/api/tasks/"))
    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
    assert json.loads(api.content)["code"] == "INTERNAL_SERVER_ERROR"
    graphql = json.loads(server_error(factory.post("/graphql/")).content)
    assert graphql["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def test_the_pages_own_files_are_served(client):
    for path in ("/static/web/stride.css", "/static/web/stride.js", "/static/web/favicon.svg"):
        assert client.get(path).status_code == 200
    assert client.get("/favicon.ico")["Location"] == "/static/web/favicon.svg"


def test_links_to_a_task_open_its_board_or_the_home_page(alice, task):
    assert (
        task.get_absolute_url() == f"{reverse('web:board', args=[task.project_id])}#task-{task.id}"
    )
    task.project = None
    assert task.get_absolute_url() == f"/#task-{task.id}"


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", "8000", "http://127.0.0.1:8000"),
        ("0.0.0.0", "9000", "http://127.0.0.1:9000"),
        ("localhost", "8200", "http://localhost:8200"),
        ("::1", "8000", "http://[::1]:8000"),
    ],
)
def test_make_run_points_links_at_the_address_it_serves(host, port, url):
    assert site_url(host, port) == url
