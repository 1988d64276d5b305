import pytest

from backend.projects.models import Membership, Project
from backend.projects.services import create_project
from backend.tasks.models import Task
from tests.rest.conftest import assert_error


def test_list_shows_only_projects_you_belong_to(api_bob, project, mallory):
    create_project(actor=mallory, name="Secret")
    body = api_bob.get("/api/projects/").json()
    assert body["count"] == 1
    assert [item["name"] for item in body["results"]] == ["Launch"]
    assert {member["username"] for member in body["results"][0]["members"]} == {"alice", "bob"}


def test_list_searches_and_orders(api_alice, alice, project):
    create_project(actor=alice, name="Archive", description="old launch notes")
    create_project(actor=alice, name="Zoo")
    body = api_alice.get("/api/projects/", {"search": "launch", "ordering": "name"}).json()
    assert [item["name"] for item in body["results"]] == ["Archive", "Launch"]


def test_list_with_an_unknown_ordering_is_a_field_error(api_alice):
    assert_error(api_alice.get("/api/projects/", {"ordering": "owner"}), 400, "ordering")


def test_create_makes_you_owner_and_member(api_alice, alice):
    response = api_alice.post("/api/projects/", {"name": "  New  ", "description": "d"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "New"
    assert body["owner"]["username"] == "alice"
    assert Membership.objects.filter(project_id=body["id"], user=alice).exists()


def test_create_without_a_name_is_a_field_error(api_alice):
    assert_error(api_alice.post("/api/projects/", {"description": "d"}), 400, "name")


def test_create_with_a_name_too_long_is_a_field_error(api_alice):
    assert_error(api_alice.post("/api/projects/", {"name": "x" * 256}), 400, "name")


def test_detail_of_someone_elses_project_is_not_found(api_mallory, project):
    assert_error(api_mallory.get(f"/api/projects/{project.id}/"), 404)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_owner_updates_the_project(api_alice, project, method):
    response = getattr(api_alice, method)(f"/api/projects/{project.id}/", {"name": "Renamed"})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Renamed"


def test_member_may_not_update_the_project(api_bob, project):
    assert_error(api_bob.patch(f"/api/projects/{project.id}/", {"name": "Mine"}), 403)
    project.refresh_from_db()
    assert project.name == "Launch"


def test_outsider_updating_the_project_gets_not_found(api_mallory, project):
    assert_error(api_mallory.put(f"/api/projects/{project.id}/", {"name": "Mine"}), 404)


def test_owner_deletes_the_project_with_its_tasks(api_alice, project, task):
    response = api_alice.delete(f"/api/projects/{project.id}/")
    assert response.status_code == 200
    assert not Project.objects.filter(id=project.id).exists()
    assert not Task.objects.filter(id=task.id).exists()


def test_outsider_deleting_the_project_gets_not_found(api_mallory, project):
    assert_error(api_mallory.delete(f"/api/projects/{project.id}/"), 404)
    assert Project.objects.filter(id=project.id).exists()


def test_owner_adds_and_removes_a_member(api_alice, project, mallory):
    response = api_alice.post(f"/api/projects/{project.id}/members/", {"user_id": mallory.id})
    assert response.status_code == 200, response.content
    assert "mallory" in {member["username"] for member in response.json()["members"]}
    response = api_alice.delete(f"/api/projects/{project.id}/members/{mallory.id}/")
    assert response.status_code == 200
    assert not project.has_member(mallory)


def test_adding_an_unknown_user_is_a_field_error(api_alice, project):
    response = api_alice.post(f"/api/projects/{project.id}/members/", {"user_id": 999999})
    assert_error(response, 400, "user_id")


def test_owner_cannot_leave_their_project(api_alice, project, alice):
    response = api_alice.delete(f"/api/projects/{project.id}/members/{alice.id}/")
    assert_error(response, 400, "user_id")


def test_brief_001_path_answers_like_the_api(api_alice, project):
    assert api_alice.get("/projects/").json()["count"] == 1
    assert api_alice.get(f"/projects/{project.id}/").json()["name"] == "Launch"
