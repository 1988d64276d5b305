from datetime import timedelta

import pytest
from django.utils import timezone

from backend.projects.services import create_project
from backend.tasks.models import Task
from backend.tasks.services import add_comment, create_task
from tests.rest.conftest import assert_error


def if_match(etag):
    return {"If-Match": etag}


def titles(response):
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


def test_list_is_paginated_with_count_next_and_previous(api_alice, alice):
    for number in range(5):
        create_task(actor=alice, title=f"Task {number}")
    first = api_alice.get("/api/tasks/", {"page_size": 2}).json()
    assert first["count"] == 5
    assert [item["title"] for item in first["results"]] == ["Task 4", "Task 3"]
    assert first["previous"] is None
    assert first["next"].endswith("/api/tasks/?page=2&page_size=2")
    last = api_alice.get("/api/tasks/", {"page_size": 2, "page": 3}).json()
    assert [item["title"] for item in last["results"]] == ["Task 0"]
    assert last["next"] is None


def test_list_shape_carries_people_project_and_comment_count(api_bob, task, bob):
    add_comment(actor=bob, task_id=task.id, content="On it")
    (item,) = api_bob.get("/api/tasks/").json()["results"]
    assert item["project"] == {"id": task.project_id, "name": "Launch"}
    assert item["created_by"]["username"] == "alice"
    assert item["assignee"] is None
    assert item["comment_count"] == 1
    assert item["version"] == 1


def test_a_page_past_the_end_is_not_found(api_alice, task):
    assert_error(api_alice.get("/api/tasks/", {"page": 2}), 404)


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "0"}, {"page_size": "-1"}])
def test_malformed_pagination_is_a_field_error(api_alice, params):
    assert_error(api_alice.get("/api/tasks/", params), 400, *params)


def test_page_size_above_the_maximum_is_refused_as_graphql_refuses_it(api_alice, alice):
    Task.objects.bulk_create(Task(title=f"T{n}", created_by=alice) for n in range(105))
    assert_error(api_alice.get("/api/tasks/", {"page_size": 1000}), 400, "page_size")
    assert len(api_alice.get("/api/tasks/", {"page_size": 100}).json()["results"]) == 100


def test_list_hides_tasks_of_others(api_mallory, task):
    assert api_mallory.get("/api/tasks/").json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


@pytest.fixture
def varied(alice, bob, project):
    """Four tasks of Alice's that differ in every filterable way."""
    now = timezone.now()
    day = timedelta(days=1)
    return {
        "a": create_task(
            actor=alice,
            title="Alpha report",
            status="completed",
            priority="low",
            due_date=now - 3 * day,
            project_id=project.id,
            assignee_id=bob.id,
        ),
        "b": create_task(
            actor=alice,
            title="Beta",
            description="the report draft",
            status="in_progress",
            priority="urgent",
            due_date=now + 3 * day,
        ),
        "c": create_task(actor=alice, title="Gamma", priority="high", due_date=now - day),
        "d": create_task(actor=alice, title="Delta", project_id=project.id),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "completed"}, ["Alpha report"]),
        ({"status": "pending,in_progress"}, ["Delta", "Gamma", "Beta"]),
        ({"priority": "urgent,high"}, ["Gamma", "Beta"]),
        ({"search": "REPORT"}, ["Beta", "Alpha report"]),
        ({"overdue": "true"}, ["Gamma"]),
        ({"ordering": "-priority"}, ["Beta", "Gamma", "Delta", "Alpha report"]),
        ({"ordering": "due_date"}, ["Alpha report", "Gamma", "Beta", "Delta"]),
        ({"ordering": "title", "status": "pending"}, ["Delta", "Gamma"]),
    ],
)
def test_list_filters_and_orders(api_alice, varied, params, expected):
    assert titles(api_alice.get("/api/tasks/", params)) == expected


def test_filter_by_due_range(api_alice, varied):
    now = timezone.now()
    params = {"due_after": (now - timedelta(days=2)).isoformat(), "due_before": now.isoformat()}
    assert titles(api_alice.get("/api/tasks/", params)) == ["Gamma"]


def test_filter_by_assignee_and_project(api_alice, varied, bob, project):
    assert titles(api_alice.get("/api/tasks/", {"assignee": bob.id})) == ["Alpha report"]
    assert titles(api_alice.get("/api/tasks/", {"project": project.id})) == [
        "Delta",
        "Alpha report",
    ]
    assert titles(api_alice.get("/api/tasks/", {"project": 999999})) == []


def test_filter_by_creation_days(api_alice, varied):
    Task.objects.filter(id=varied["a"].id).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.now().date()
    assert titles(api_alice.get("/api/tasks/", {"end_date": today - timedelta(days=1)})) == [
        "Alpha report"
    ]
    assert "Alpha report" not in titles(api_alice.get("/api/tasks/", {"start_date": today}))
    assert len(titles(api_alice.get("/api/tasks/", {"start_date": today, "end_date": today}))) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"status": "done"},
        {"priority": "PRIORITY"},
        {"due_before": "tomorrow"},
        {"start_date": "2025-13-01"},
        {"assignee": "bob"},
        {"project": str(2**64)},
        {"ordering": "password"},
    ],
)
def test_bad_filters_are_field_errors(api_alice, params):
    assert_error(api_alice.get("/api/tasks/", params), 400, *params)


def test_create_a_task_in_your_project(api_alice, project, bob):
    response = api_alice.post(
        "/api/tasks/",
        {"title": "Ship", "project_id": project.id, "assignee_id": bob.id, "priority": "high"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Task created"
    assert body["task"]["assignee"]["username"] == "bob"
    assert body["task"]["project"]["name"] == "Launch"


def test_create_in_someone_elses_project_is_a_field_error(api_mallory, project):
    response = api_mallory.post("/api/tasks/", {"title": "Sneak", "project_id": project.id})
    assert_error(response, 400, "project_id")


def test_create_assigning_a_non_member_is_a_field_error(api_alice, project, mallory):
    response = api_alice.post(
        "/api/tasks/", {"title": "X", "project_id": project.id, "assignee_id": mallory.id}
    )
    assert_error(response, 400, "assignee_id")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"title": "X", "status": "done"}, "status"),
        ({"title": "X", "due_date": "soon"}, "due_date"),
        ({"title": "X", "project_id": "abc"}, "project_id"),
        ({"title": ["a list"]}, "title"),
    ],
)
def test_create_with_bad_fields_names_them(api_alice, body, field):
    assert_error(api_alice.post("/api/tasks/", body), 400, field)


def test_detail_wraps_the_task_and_says_it_was_not_cached(api_bob, task):
    body = api_bob.get(f"/api/tasks/{task.id}/").json()
    assert body["task"]["title"] == "Write the announcement"
    assert body["cached"] is False


def test_detail_of_a_task_you_cannot_see_is_not_found(api_mallory, task):
    assert_error(api_mallory.get(f"/api/tasks/{task.id}/"), 404)


def test_detail_of_an_id_no_row_can_have_is_not_found(api_alice):
    assert_error(api_alice.get(f"/api/tasks/{2**64}/"), 404)


def test_update_changes_fields_and_version(api_alice, task):
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"status": "completed", "version": 1})
    assert response.status_code == 200, response.content
    updated = response.json()["task"]
    assert (updated["status"], updated["version"]) == ("completed", 2)
    assert updated["completed_at"] is not None


def test_put_requires_the_title(api_alice, task):
    assert_error(api_alice.put(f"/api/tasks/{task.id}/", {"status": "completed"}), 400, "title")


def test_update_with_a_stale_version_is_a_conflict(api_alice, task):
    api_alice.patch(f"/api/tasks/{task.id}/", {"title": "New"})
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"title": "Newer", "version": 1})
    assert_error(response, 409, "version")
    task.refresh_from_db()
    assert task.title == "New"


def test_reads_and_writes_send_the_version_as_etag(api_alice, task):
    assert api_alice.get(f"/api/tasks/{task.id}/")["ETag"] == '"v1"'
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"title": "New"})
    assert response["ETag"] == '"v2"'
    created = api_alice.post("/api/tasks/", {"title": "Fresh"})
    assert created["ETag"] == '"v1"'


def test_if_match_with_the_current_etag_updates(api_alice, task):
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"title": "New"}, **if_match('"v1"'))
    assert response.status_code == 200, response.content
    assert response.json()["task"]["version"] == 2


def test_if_match_with_a_stale_etag_is_412_and_changes_nothing(api_alice, task):
    api_alice.patch(f"/api/tasks/{task.id}/", {"title": "New"})
    stale = api_alice.patch(f"/api/tasks/{task.id}/", {"title": "Newer"}, **if_match('"v1"'))
    assert_error(stale, 412)
    assert_error(api_alice.delete(f"/api/tasks/{task.id}/", **if_match('"v1"')), 412)
    task.refresh_from_db()
    assert (task.title, task.version) == ("New", 2)


def test_if_match_that_is_no_etag_of_ours_is_412(api_alice, task):
    for header in ('"abc"', "v1", '"v1", "v2"'):
        response = api_alice.patch(f"/api/tasks/{task.id}/", {"title": "X"}, **if_match(header))
        assert_error(response, 412)


def test_if_match_and_version_that_disagree_are_412(api_alice, task):
    response = api_alice.patch(
        f"/api/tasks/{task.id}/", {"title": "X", "version": 1}, **if_match('"v2"')
    )
    assert_error(response, 412)


def test_if_match_star_and_a_matching_delete_succeed(api_alice, task):
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"title": "X"}, **if_match("*"))
    assert response.status_code == 200, response.content
    response = api_alice.delete(f"/api/tasks/{task.id}/", **if_match('"v2"'))
    assert response.status_code == 200, response.content
    assert not Task.objects.filter(id=task.id).exists()


def test_update_by_outsider_is_not_found(api_mallory, task):
    assert_error(api_mallory.patch(f"/api/tasks/{task.id}/", {"title": "Mine"}), 404)


def test_change_by_a_member_who_may_only_see_it_is_forbidden(api_bob, task):
    assert_error(api_bob.patch(f"/api/tasks/{task.id}/", {"title": "Mine"}), 403)
    assert_error(api_bob.delete(f"/api/tasks/{task.id}/"), 403)


def test_delete_by_its_creator(api_alice, task):
    response = api_alice.delete(f"/api/tasks/{task.id}/")
    assert response.json() == {"message": f"Task {task.id} deleted successfully"}
    assert not Task.objects.filter(id=task.id).exists()


def test_comments_are_added_and_listed(api_bob, task):
    response = api_bob.post(f"/api/tasks/{task.id}/comments/", {"content": "Draft attached"})
    assert response.status_code == 201, response.content
    assert response.json()["author"]["username"] == "bob"
    listing = api_bob.get(f"/api/tasks/{task.id}/comments/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["content"] == "Draft attached"


def test_comments_on_a_task_you_cannot_see_are_not_found(api_mallory, task):
    assert_error(api_mallory.get(f"/api/tasks/{task.id}/comments/"), 404)
    assert_error(api_mallory.post(f"/api/tasks/{task.id}/comments/", {"content": "hi"}), 404)


def test_empty_comment_is_a_field_error(api_bob, task):
    assert_error(api_bob.post(f"/api/tasks/{task.id}/comments/", {"content": "  "}), 400, "content")


def test_stats_count_visible_tasks_by_status(api_alice, varied, mallory):
    create_task(actor=mallory, title="Not Alice's", status="completed")
    body = api_alice.get("/api/tasks/stats/").json()
    assert body == {
        "stats": [
            {"status": "pending", "count": 2},
            {"status": "in_progress", "count": 1},
            {"status": "completed", "count": 1},
        ],
        "total": 4,
    }


def test_admin_list_shows_every_task_to_staff(api_staff, varied, mallory):
    create_task(actor=mallory, title="Mallory's")
    body = api_staff.get("/api/admin/tasks/", {"status": "pending"}).json()
    assert body["count"] == 3
    assert [task["title"] for task in body["tasks"]] == ["Mallory's", "Delta", "Gamma"]


def test_admin_list_is_forbidden_to_others(api_alice):
    assert_error(api_alice.get("/api/admin/tasks/"), 403)


def test_brief_001_task_paths_answer(api_alice, task):
    assert api_alice.get("/tasks/").json()["count"] == 1
    assert api_alice.get(f"/tasks/{task.id}/").json()["task"]["id"] == task.id
    response = api_alice.post(f"/tasks/{task.id}/comments/", {"content": "Alias comment"})
    assert response.status_code == 201


def test_personal_projects_do_not_leak_into_filters(api_alice, mallory):
    secret = create_project(actor=mallory, name="Secret")
    create_task(actor=mallory, title="Hidden", project_id=secret.id)
    assert titles(api_alice.get("/api/tasks/", {"project": secret.id})) == []


def test_a_null_version_is_no_check_as_over_graphql(api_alice, task):
    api_alice.patch(f"/api/tasks/{task.id}/", {"title": "New"})
    response = api_alice.patch(f"/api/tasks/{task.id}/", {"title": "Newer", "version": None})
    assert response.status_code == 200, response.content
    assert response.json()["task"]["version"] == 3
