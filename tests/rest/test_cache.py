"""Caching in the selectors, seen through REST and GraphQL: hits, misses, exact invalidation.

Transactional tests: cache invalidation follows events, which are delivered after commit.
"""

import logging
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.services import update_profile
from backend.caching import versions
from backend.caching.invalidation import versions_to_bump
from backend.events import EventKind, task_event
from backend.projects.models import Membership
from backend.projects.services import (
    add_project_member,
    create_project,
    remove_project_member,
    update_project,
)
from backend.tasks.services import create_task, update_task
from tests.conftest import GraphQLClient, operation
from tests.rest.conftest import assert_error
from tests.settings import CACHES

pytestmark = pytest.mark.django_db(transaction=True)


def detail(client, task):
    response = client.get(f"/api/tasks/{task.id}/")
    assert response.status_code == 200, response.content
    body = response.json()
    return body["task"], body["cached"]


def listing(client, **params):
    response = client.get("/api/tasks/", params)
    assert response.status_code == 200, response.content
    return response.json()


def queries_of(client, path, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return [query["sql"] for query in captured]


def test_detail_is_a_miss_then_a_hit(api_bob, task):
    assert detail(api_bob, task)[1] is False
    assert detail(api_bob, task)[1] is True


def test_a_cached_list_and_its_count_need_no_query(api_alice, task):
    """Not even for the signed-in user, whom authentication reads from the cache too."""
    assert queries_of(api_alice, "/api/tasks/", {"status": "pending"})
    assert queries_of(api_alice, "/api/tasks/", {"status": "pending"}) == []
    assert listing(api_alice, status="pending")["count"] == 1


def test_a_cached_page_keeps_its_tasks_as_shown_and_expires_when_one_turns_overdue(
    api_alice, alice, project
):
    due = timezone.now() + timedelta(seconds=2)
    create_task(actor=alice, title="Soon", project_id=project.id, due_date=due)
    (shown,) = listing(api_alice)["results"]
    assert shown["is_overdue"] is False
    assert queries_of(api_alice, "/api/tasks/") == []  # served as serialized, from Redis

    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.2)

    (shown_later,) = listing(api_alice)["results"]
    assert shown_later["is_overdue"] is True


def test_a_list_filtered_on_overdue_is_not_cached(api_alice, task):
    assert queries_of(api_alice, "/api/tasks/", {"overdue": "true"})
    assert queries_of(api_alice, "/api/tasks/", {"overdue": "true"})
    assert queries_of(api_alice, "/api/tasks/", {"overdue": "false"})
    assert queries_of(api_alice, "/api/tasks/", {"overdue": "false"})


def test_a_deactivated_user_is_refused_at_once_by_both_front_doors(api_alice, alice, task):
    as_alice = GraphQLClient(alice)
    listing(api_alice)
    as_alice.run("tasks")
    alice.is_active = False
    alice.save()  # what the admin does: no service, no event
    assert_error(api_alice.get("/api/tasks/"), 401)
    response = as_alice.post(operation("tasks"))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_new_staff_flag_applies_to_the_next_request(api_mallory, mallory, task):
    assert listing(api_mallory)["count"] == 0
    mallory.is_staff = True
    mallory.save(update_fields=["is_staff"])
    assert listing(api_mallory)["count"] == 1


def test_a_project_rename_refreshes_a_staff_members_detail(api_staff, alice, task):
    assert detail(api_staff, task)[0]["project"]["name"] == "Launch"
    update_project(actor=alice, project_id=task.project_id, name="Liftoff")
    assert detail(api_staff, task)[0]["project"]["name"] == "Liftoff"


def test_each_query_is_cached_apart(api_alice, task):
    assert listing(api_alice, status="pending")["count"] == 1
    assert listing(api_alice, status="completed")["count"] == 0


def test_a_rest_write_refreshes_the_writers_and_the_members_lists(api_alice, api_bob, task):
    assert listing(api_bob)["count"] == 1
    api_alice.post("/api/tasks/", {"title": "Second", "project_id": task.project_id})
    assert listing(api_bob)["count"] == 2
    assert listing(api_alice)["count"] == 2


def test_a_graphql_write_refreshes_rest_answers(api_alice, alice, task):
    assert detail(api_alice, task)[0]["title"] == "Write the announcement"
    GraphQLClient(alice).run(
        "updateTask", input={"id": str(task.id), "version": task.version, "title": "Rewritten"}
    )
    fresh, cached = detail(api_alice, task)
    assert (fresh["title"], cached) == ("Rewritten", False)


def test_another_users_edit_refreshes_your_detail_and_list(api_bob, alice, task):
    detail(api_bob, task)
    listing(api_bob)
    update_task(actor=alice, task_id=task.id, status="completed")
    assert detail(api_bob, task)[0]["status"] == "completed"
    assert listing(api_bob)["results"][0]["status"] == "completed"


def test_a_comment_refreshes_the_comment_count(api_alice, api_bob, task):
    assert listing(api_alice)["results"][0]["comment_count"] == 0
    api_bob.post(f"/api/tasks/{task.id}/comments/", {"content": "Looks good"})
    assert listing(api_alice)["results"][0]["comment_count"] == 1
    assert detail(api_alice, task)[0]["comment_count"] == 1


def test_joining_a_project_shows_its_tasks_and_leaving_hides_them(
    api_mallory, alice, mallory, task
):
    assert listing(api_mallory)["count"] == 0
    assert_error(api_mallory.get(f"/api/tasks/{task.id}/"), 404)
    add_project_member(actor=alice, project_id=task.project_id, user_id=mallory.id)
    assert listing(api_mallory)["count"] == 1
    assert detail(api_mallory, task)[0]["id"] == task.id
    remove_project_member(actor=alice, project_id=task.project_id, user_id=mallory.id)
    assert listing(api_mallory)["count"] == 0
    assert_error(api_mallory.get(f"/api/tasks/{task.id}/"), 404)


def test_a_membership_edited_in_the_admin_applies_at_once(api_mallory, alice, mallory, task):
    """The admin's inline memberships go through no service, hence no event: signals."""
    assert listing(api_mallory)["count"] == 0
    membership = Membership.objects.create(project_id=task.project_id, user=mallory)
    assert listing(api_mallory)["count"] == 1
    membership.delete()
    assert listing(api_mallory)["count"] == 0


def test_a_new_project_joins_its_owners_cached_lists(api_mallory, mallory, staff):
    """The owner becomes a member, so the project's task changes must reach their lists, even
    a task someone else creates in it (staff may)."""
    assert listing(api_mallory)["count"] == 0
    project = create_project(actor=mallory, name="Side quest")
    assert listing(api_mallory)["count"] == 0
    create_task(actor=staff, title="First step", project_id=project.id)
    assert listing(api_mallory)["count"] == 1


def test_a_task_change_bumps_its_project_once_whatever_the_number_of_members(alice, project, task):
    for number in range(30):
        member = User.objects.create_user(username=f"member{number}", email=f"m{number}@x.io")
        add_project_member(actor=alice, project_id=project.id, user_id=member.id)
    event = task_event(EventKind.TASK_UPDATED, task=task, actor=alice, changes=["title"])
    bumped = versions_to_bump(event)
    assert versions.project_lists(project.id) in bumped
    assert len(bumped) <= 5, bumped


def test_reassigning_away_from_an_outsider_hides_the_task(api_bob, alice, bob, project):
    task = create_task(actor=alice, title="Shared", project_id=project.id, assignee_id=bob.id)
    remove_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    assert detail(api_bob, task)[0]["assignee"]["username"] == "bob"
    update_task(actor=alice, task_id=task.id, assignee_id=None)
    assert_error(api_bob.get(f"/api/tasks/{task.id}/"), 404)


def test_renaming_a_project_refreshes_the_tasks_that_show_its_name(api_bob, alice, task):
    assert detail(api_bob, task)[0]["project"]["name"] == "Launch"
    listing(api_bob)
    update_project(actor=alice, project_id=task.project_id, name="Liftoff")
    assert detail(api_bob, task)[0]["project"]["name"] == "Liftoff"
    assert listing(api_bob)["results"][0]["project"]["name"] == "Liftoff"


def test_a_profile_change_refreshes_lists_that_show_the_person(api_alice, alice, bob, task):
    update_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    assert listing(api_alice)["results"][0]["assignee"]["first_name"] == ""
    update_profile(user=bob, first_name="Robert")
    assert listing(api_alice)["results"][0]["assignee"]["first_name"] == "Robert"


def test_staff_lists_follow_every_change(api_staff, alice, mallory, task):
    assert listing(api_staff)["count"] == 1
    create_task(actor=mallory, title="Mallory's own")
    assert listing(api_staff)["count"] == 2


def test_graphql_reads_share_the_cache_and_its_invalidation(alice, bob, task):
    as_bob = GraphQLClient(bob)
    assert as_bob.run("task", id=str(task.id))["title"] == "Write the announcement"
    assert as_bob.run("tasks")["totalCount"] == 1
    update_task(actor=alice, task_id=task.id, title="Changed")
    assert as_bob.run("task", id=str(task.id))["title"] == "Changed"
    create_task(actor=alice, title="Another", project_id=task.project_id)
    assert as_bob.run("tasks")["totalCount"] == 2


def test_redis_down_still_answers_from_the_database(api_bob, task, caplog):
    dead = {"default": {**CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=dead), caplog.at_level(logging.WARNING):
        assert detail(api_bob, task) == (detail(api_bob, task)[0], False)
        assert listing(api_bob)["count"] == 1
        assert GraphQLClient(api_bob.user).run("tasks")["totalCount"] == 1
    assert "Cache unavailable" in caplog.text
