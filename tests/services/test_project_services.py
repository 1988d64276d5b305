"""Projects and membership: who may change what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from backend.projects.models import Membership, Project
from backend.projects.services import (
    add_project_member,
    create_project,
    delete_project,
    remove_project_member,
    update_project,
)


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_the_creator_owns_the_project_and_is_its_first_member(alice):
    project = create_project(actor=alice, name=" Garden ")
    assert (project.name, project.owner) == ("Garden", alice)
    assert list(Membership.objects.filter(project=project).values_list("user", flat=True)) == [
        alice.id
    ]


def test_only_name_and_description_can_be_changed(alice, bob, project):
    with pytest.raises(ValidationError) as raised:
        update_project(actor=alice, project_id=project.id, owner_id=bob.id)
    assert codes(raised.value) == {"owner_id": ["not_editable"]}


def test_a_member_may_not_change_or_delete_the_project(bob, project):
    with pytest.raises(PermissionDenied):
        update_project(actor=bob, project_id=project.id, name="Mine")
    with pytest.raises(PermissionDenied):
        delete_project(actor=bob, project_id=project.id)
    with pytest.raises(PermissionDenied):
        add_project_member(actor=bob, project_id=project.id, user_id=bob.id)


def test_an_outsider_cannot_find_the_project(mallory, project):
    with pytest.raises(Project.DoesNotExist):
        update_project(actor=mallory, project_id=project.id, name="Mine")
    with pytest.raises(Project.DoesNotExist):
        remove_project_member(actor=mallory, project_id=project.id, user_id=mallory.id)


def test_adding_a_member_twice_keeps_one_membership(alice, bob, project):
    add_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    assert Membership.objects.filter(project=project, user=bob).count() == 1


def test_an_inactive_user_cannot_be_added(alice, mallory, project):
    mallory.is_active = False
    mallory.save()
    with pytest.raises(ValidationError) as raised:
        add_project_member(actor=alice, project_id=project.id, user_id=mallory.id)
    assert codes(raised.value) == {"user_id": ["user_not_found"]}


def test_a_member_may_leave_but_the_owner_may_not(alice, bob, project):
    remove_project_member(actor=bob, project_id=project.id, user_id=bob.id)
    assert not project.has_member(bob)
    with pytest.raises(ValidationError) as raised:
        remove_project_member(actor=alice, project_id=project.id, user_id=alice.id)
    assert codes(raised.value) == {"user_id": ["owner_cannot_leave"]}


def test_staff_may_manage_any_project(staff, mallory, project):
    update_project(actor=staff, project_id=project.id, name="Moderated")
    add_project_member(actor=staff, project_id=project.id, user_id=mallory.id)
    assert project.has_member(mallory)
    delete_project(actor=staff, project_id=project.id)
    assert not Project.objects.filter(id=project.id).exists()
