"""Projects and their membership over GraphQL: who sees, who changes, and bad input."""

import pytest

from backend.projects.models import Membership, Project
from backend.projects.services import add_project_member, create_project
from backend.tasks.models import Task
from backend.tasks.services import create_task
from tests.conftest import operation
from tests.graphql.support import (
    assert_not_found,
    assert_permission_denied,
    error_codes,
    problem_on,
)


def usernames(project_payload) -> list[str]:
    return [member["username"] for member in project_payload["members"]]


# projects and project


def test_projects_lists_only_the_projects_one_belongs_to(as_bob, alice, bob, mallory, project):
    create_project(actor=mallory, name="Mallory's secret")
    create_project(actor=bob, name="Bob's own")
    page = as_bob.run("projects")
    assert page["totalCount"] == 2
    assert {result["name"] for result in page["results"]} == {"Launch", "Bob's own"}


def test_projects_by_staff_lists_every_project(as_staff, mallory, project):
    create_project(actor=mallory, name="Mallory's secret")
    assert as_staff.run("projects")["totalCount"] == 2


def test_projects_search_looks_in_name_and_description(as_alice, alice):
    create_project(actor=alice, name="Garden", description="Plant the roses")
    create_project(actor=alice, name="Roses for mum")
    create_project(actor=alice, name="Taxes")
    page = as_alice.run("projects", filters={"search": "ROSES"})
    assert {result["name"] for result in page["results"]} == {"Garden", "Roses for mum"}


@pytest.mark.parametrize(
    ("direction", "expected"),
    [("ASC", ["Alpha", "Beta", "Gamma"]), ("DESC", ["Gamma", "Beta", "Alpha"])],
)
def test_projects_order_by_name(as_alice, alice, direction, expected):
    for name in ("Beta", "Gamma", "Alpha"):
        create_project(actor=alice, name=name)
    page = as_alice.run("projects", order=[{"field": "NAME", "direction": direction}])
    assert [result["name"] for result in page["results"]] == expected


def test_projects_default_order_is_newest_first(as_alice, alice):
    for name in ("First", "Second", "Third"):
        create_project(actor=alice, name=name)
    page = as_alice.run("projects")
    assert [result["name"] for result in page["results"]] == ["Third", "Second", "First"]


def test_projects_pagination_cuts_pages_and_counts_all(as_alice, alice):
    for number in range(5):
        create_project(actor=alice, name=f"P{number}")
    order = [{"field": "NAME", "direction": "ASC"}]
    page = as_alice.run("projects", order=order, pagination={"offset": 2, "limit": 2})
    assert page["totalCount"] == 5
    assert [result["name"] for result in page["results"]] == ["P2", "P3"]


def test_projects_with_a_negative_offset_is_a_clear_error(as_alice, project):
    answer = as_alice.execute(operation("projects"), {"pagination": {"offset": -1}})
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert "offset" in answer["errors"][0]["message"]


def test_project_shows_owner_and_members(as_bob, project):
    detail = as_bob.run("project", id=str(project.id))
    assert detail["name"] == "Launch"
    assert detail["owner"]["username"] == "alice"
    assert usernames(detail) == ["alice", "bob"]


def test_project_of_an_outsider_is_null(as_mallory, project):
    assert as_mallory.run("project", id=str(project.id)) is None


@pytest.mark.parametrize("bad_id", ["abc", "-1", "0", "99999999999999999999999"])
def test_project_with_an_impossible_id_is_null(as_alice, project, bad_id):
    assert as_alice.run("project", id=bad_id) is None


# createProject, updateProject, deleteProject


def test_create_project_makes_the_creator_owner_and_member(as_alice, alice):
    created = as_alice.run(
        "createProject", input={"name": "  Website  ", "description": "The new site"}
    )
    assert created["name"] == "Website"
    assert created["owner"]["username"] == "alice"
    assert usernames(created) == ["alice"]
    assert Membership.objects.filter(project_id=created["id"], user=alice).exists()


def test_create_project_with_a_blank_name_is_refused(as_alice, alice):
    payload = as_alice.run("createProject", input={"name": "   "})
    assert problem_on(payload, "name")["code"] == "blank"
    assert not Project.objects.exists()


def test_create_project_with_a_name_over_255_characters_is_refused(as_alice, alice):
    payload = as_alice.run("createProject", input={"name": "x" * 256})
    assert problem_on(payload, "name")["code"] == "max_length"


def test_update_project_by_owner_changes_only_the_given_fields(as_alice, project):
    updated = as_alice.run("updateProject", input={"id": str(project.id), "name": "Relaunch"})
    assert updated["name"] == "Relaunch"
    project.refresh_from_db()
    assert (project.name, project.description) == ("Relaunch", "")


def test_update_project_with_a_null_description_clears_it(as_alice, alice):
    project = create_project(actor=alice, name="Garden", description="Roses")
    updated = as_alice.run("updateProject", input={"id": str(project.id), "description": None})
    assert updated["description"] == ""


def test_update_project_with_a_null_name_is_refused(as_alice, project):
    payload = as_alice.run("updateProject", input={"id": str(project.id), "name": None})
    assert problem_on(payload, "name")["code"] == "null"


def test_update_project_by_member_is_permission_denied(as_bob, project):
    assert_permission_denied(
        as_bob.run("updateProject", input={"id": str(project.id), "name": "Mine now"})
    )
    project.refresh_from_db()
    assert project.name == "Launch"


def test_update_project_by_outsider_is_not_found(as_mallory, project):
    assert_not_found(
        as_mallory.run("updateProject", input={"id": str(project.id), "name": "Mine now"})
    )


def test_update_project_by_staff_is_allowed(as_staff, project):
    updated = as_staff.run("updateProject", input={"id": str(project.id), "name": "Moderated"})
    assert updated["name"] == "Moderated"


def test_update_project_with_a_bad_id_is_a_field_error(as_alice, project):
    payload = as_alice.run("updateProject", input={"id": "abc", "name": "X"})
    assert problem_on(payload, "id")["code"] == "invalid_id"


def test_delete_project_by_owner_deletes_it_with_its_tasks(as_alice, project, task):
    assert as_alice.run("deleteProject", id=str(project.id)) == {"id": str(project.id)}
    assert not Project.objects.filter(id=project.id).exists()
    assert not Task.objects.filter(id=task.id).exists()


def test_delete_project_by_member_is_permission_denied(as_bob, project):
    assert_permission_denied(as_bob.run("deleteProject", id=str(project.id)))
    assert Project.objects.filter(id=project.id).exists()


def test_delete_project_by_outsider_is_not_found(as_mallory, project):
    assert_not_found(as_mallory.run("deleteProject", id=str(project.id)))
    assert Project.objects.filter(id=project.id).exists()


def test_delete_project_that_does_not_exist_is_not_found(as_alice, alice):
    assert_not_found(as_alice.run("deleteProject", id="424242"))


# addProjectMember and removeProjectMember


def test_add_project_member_by_owner(as_alice, project, mallory):
    updated = as_alice.run("addProjectMember", projectId=str(project.id), userId=str(mallory.id))
    assert usernames(updated) == ["alice", "bob", "mallory"]


def test_add_project_member_twice_changes_nothing(as_alice, project, bob):
    updated = as_alice.run("addProjectMember", projectId=str(project.id), userId=str(bob.id))
    assert usernames(updated) == ["alice", "bob"]
    assert Membership.objects.filter(project=project, user=bob).count() == 1


def test_add_project_member_gives_access_to_the_projects_tasks(
    as_alice, as_mallory, project, task, mallory
):
    assert as_mallory.run("task", id=str(task.id)) is None
    as_alice.run("addProjectMember", projectId=str(project.id), userId=str(mallory.id))
    assert as_mallory.run("task", id=str(task.id))["title"] == task.title


def test_add_project_member_by_member_is_permission_denied(as_bob, project, mallory):
    assert_permission_denied(
        as_bob.run("addProjectMember", projectId=str(project.id), userId=str(mallory.id))
    )
    assert not project.has_member(mallory)


def test_add_project_member_by_outsider_is_not_found(as_mallory, project, mallory):
    assert_not_found(
        as_mallory.run("addProjectMember", projectId=str(project.id), userId=str(mallory.id))
    )
    assert not project.has_member(mallory)


def test_add_unknown_user_as_member_is_a_field_error(as_alice, project):
    payload = as_alice.run("addProjectMember", projectId=str(project.id), userId="424242")
    assert problem_on(payload, "userId")["code"] == "user_not_found"


def test_add_member_with_a_bad_user_id_is_a_field_error(as_alice, project):
    payload = as_alice.run("addProjectMember", projectId=str(project.id), userId="abc")
    assert problem_on(payload, "userId")["code"] == "invalid_id"


def test_remove_project_member_by_owner(as_alice, project, bob):
    updated = as_alice.run("removeProjectMember", projectId=str(project.id), userId=str(bob.id))
    assert usernames(updated) == ["alice"]


def test_member_may_leave_a_project(as_bob, project, bob):
    updated = as_bob.run("removeProjectMember", projectId=str(project.id), userId=str(bob.id))
    assert usernames(updated) == ["alice"]
    assert not project.has_member(bob)


def test_member_may_not_remove_another_member(as_bob, alice, bob, mallory):
    project = create_project(actor=alice, name="Shared")
    add_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    add_project_member(actor=alice, project_id=project.id, user_id=mallory.id)
    assert_permission_denied(
        as_bob.run("removeProjectMember", projectId=str(project.id), userId=str(mallory.id))
    )
    assert project.has_member(mallory)


def test_owner_cannot_leave_their_own_project(as_alice, project, alice):
    payload = as_alice.run("removeProjectMember", projectId=str(project.id), userId=str(alice.id))
    assert problem_on(payload, "userId")["code"] == "owner_cannot_leave"
    assert project.has_member(alice)


def test_removing_someone_who_is_not_a_member_is_a_field_error(as_alice, project, mallory):
    payload = as_alice.run("removeProjectMember", projectId=str(project.id), userId=str(mallory.id))
    assert problem_on(payload, "userId")["code"] == "not_a_member"


def test_remove_project_member_by_outsider_is_not_found(as_mallory, project, bob):
    assert_not_found(
        as_mallory.run("removeProjectMember", projectId=str(project.id), userId=str(bob.id))
    )
    assert project.has_member(bob)


def test_removed_member_no_longer_sees_the_project(as_alice, as_bob, project, bob):
    as_alice.run("removeProjectMember", projectId=str(project.id), userId=str(bob.id))
    assert as_bob.run("project", id=str(project.id)) is None
    assert as_bob.run("projects")["totalCount"] == 0


def test_project_mutations_without_a_token_are_unauthenticated(anonymous, project):
    answer = anonymous.execute(operation("createProject"), {"input": {"name": "Sneaky"}})
    assert error_codes(answer) == ["UNAUTHENTICATED"]
    assert Project.objects.count() == 1


def test_personal_task_stays_when_unrelated_project_is_deleted(as_alice, alice, project):
    personal = create_task(actor=alice, title="Buy milk")
    as_alice.run("deleteProject", id=str(project.id))
    assert Task.objects.filter(id=personal.id).exists()
