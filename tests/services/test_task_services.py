"""The task services: versions, conflicts, history, permissions and their rules."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from backend.platform.errors import ConflictError
from backend.projects.services import create_project
from backend.tasks.models import Activity, Task, TaskStatus
from backend.tasks.services import (
    add_comment,
    assign_task,
    create_task,
    delete_task,
    update_task,
)


def history(task) -> list[tuple[str, str, str, str]]:
    return list(
        Activity.objects.filter(task=task)
        .order_by("id")
        .values_list("verb", "field", "old_value", "new_value")
    )


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


# versions and conflicts


def test_every_change_increments_the_version(alice, task):
    update_task(actor=alice, task_id=task.id, title="One")
    update_task(actor=alice, task_id=task.id, status=TaskStatus.IN_PROGRESS, priority="high")
    task.refresh_from_db()
    assert task.version == 3


def test_an_update_that_changes_nothing_keeps_the_version(alice, task):
    update_task(actor=alice, task_id=task.id, version=1, title=" Write the announcement ")
    task.refresh_from_db()
    assert task.version == 1
    assert history(task) == [("created", "", "", "")]


def test_the_current_version_is_accepted(alice, task):
    updated = update_task(actor=alice, task_id=task.id, version=1, title="New")
    assert (updated.title, updated.version) == ("New", 2)


def test_a_stale_version_is_a_conflict_and_changes_nothing(alice, task):
    update_task(actor=alice, task_id=task.id, version=1, title="Someone else's change")
    with pytest.raises(ConflictError) as raised:
        update_task(actor=alice, task_id=task.id, version=1, title="Mine")
    assert codes(raised.value) == {"version": ["stale_version"]}
    task.refresh_from_db()
    assert (task.title, task.version) == ("Someone else's change", 2)
    assert Activity.objects.filter(task=task, verb="updated").count() == 1


def test_a_conflict_is_a_validation_error_for_the_front_doors(alice, task):
    """Front doors that know ValidationError (GraphQL's OperationInfo) report it as data."""
    with pytest.raises(ValidationError):
        update_task(actor=alice, task_id=task.id, version=7, title="Mine")


def test_without_a_version_the_change_is_applied(alice, task):
    update_task(actor=alice, task_id=task.id, title="First")
    assert update_task(actor=alice, task_id=task.id, title="Second").version == 3


# history


def test_creating_an_assigned_task_records_creation_and_assignment(alice, bob, project):
    task = create_task(actor=alice, title="Draft", project_id=project.id, assignee_id=bob.id)
    assert history(task) == [("created", "", "", ""), ("assigned", "assignee", "", "bob")]


def test_each_changed_field_is_recorded_with_old_and_new_values(alice, task):
    due = datetime(2031, 5, 4, 12, tzinfo=UTC)
    update_task(
        actor=alice, task_id=task.id, title="Final", priority="urgent", due_date=due, description=""
    )
    assert history(task)[1:] == [
        ("updated", "title", "Write the announcement", "Final"),
        ("updated", "priority", "medium", "urgent"),
        ("updated", "due_date", "", due.isoformat()),
    ]
    assert set(Activity.objects.filter(task=task).values_list("actor", flat=True)) == {alice.id}


def test_assignment_and_unassignment_are_recorded(alice, bob, task):
    assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)
    assign_task(actor=alice, task_id=task.id, assignee_id=None)
    assert history(task)[1:] == [
        ("assigned", "assignee", "", "bob"),
        ("assigned", "assignee", "bob", ""),
    ]


def test_moving_a_task_records_the_project_change(alice, task):
    other = create_project(actor=alice, name="Other")
    update_task(actor=alice, task_id=task.id, project_id=other.id)
    assert history(task)[1:] == [("updated", "project", "Launch", "Other")]


def test_a_comment_is_recorded(bob, task):
    comment = add_comment(actor=bob, task_id=task.id, content="  Nice  ")
    assert comment.content == "Nice"
    assert history(task)[1:] == [("commented", "", "", "")]


def test_a_refused_change_leaves_no_history(alice, task):
    with pytest.raises(ValidationError):
        update_task(actor=alice, task_id=task.id, title="")
    assert history(task) == [("created", "", "", "")]


# completion


def test_completing_sets_completed_at_and_reopening_clears_it(alice, task):
    completed = update_task(actor=alice, task_id=task.id, status=TaskStatus.COMPLETED)
    assert completed.completed_at is not None
    reopened = update_task(actor=alice, task_id=task.id, status=TaskStatus.PENDING)
    assert reopened.completed_at is None


def test_completed_at_is_kept_when_other_fields_change(alice, task):
    completed = update_task(actor=alice, task_id=task.id, status=TaskStatus.COMPLETED)
    renamed = update_task(actor=alice, task_id=task.id, title="Renamed")
    assert renamed.completed_at == completed.completed_at


# rules


def test_only_editable_fields_can_be_changed(alice, task):
    with pytest.raises(ValidationError) as raised:
        update_task(actor=alice, task_id=task.id, created_by_id=alice.id)
    assert codes(raised.value) == {"created_by_id": ["not_editable"]}


def test_a_null_description_clears_it(alice):
    task = create_task(actor=alice, title="Draft", description="Words")
    assert update_task(actor=alice, task_id=task.id, description=None).description == ""


def test_moving_a_task_keeps_its_assignee_only_if_they_belong_to_the_new_project(
    alice, bob, project
):
    task = create_task(actor=alice, title="Draft", project_id=project.id, assignee_id=bob.id)
    other = create_project(actor=alice, name="Without Bob")
    with pytest.raises(ValidationError) as raised:
        update_task(actor=alice, task_id=task.id, project_id=other.id)
    assert codes(raised.value) == {"assignee_id": ["not_assignable"]}
    moved = update_task(actor=alice, task_id=task.id, project_id=other.id, assignee_id=None)
    assert (moved.project_id, moved.assignee_id) == (other.id, None)


def test_a_member_who_is_not_creator_assignee_or_owner_may_not_change_a_task(bob, task):
    with pytest.raises(PermissionDenied):
        update_task(actor=bob, task_id=task.id, title="Mine")


def test_an_outsider_cannot_find_the_task_to_change(mallory, task):
    with pytest.raises(Task.DoesNotExist):
        update_task(actor=mallory, task_id=task.id, title="Mine")
    with pytest.raises(Task.DoesNotExist):
        add_comment(actor=mallory, task_id=task.id, content="Hi")


def test_the_assignee_may_change_but_not_delete(alice, bob, project):
    task = create_task(actor=alice, title="Draft", project_id=project.id, assignee_id=bob.id)
    update_task(actor=bob, task_id=task.id, status=TaskStatus.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        delete_task(actor=bob, task_id=task.id)


def test_the_project_owner_may_delete_a_members_task(alice, bob, project):
    task = create_task(actor=bob, title="Bob's", project_id=project.id)
    delete_task(actor=alice, task_id=task.id)
    assert not Task.objects.filter(id=task.id).exists()


def test_staff_may_delete_any_task(staff, mallory):
    task = create_task(actor=mallory, title="Mallory's")
    delete_task(actor=staff, task_id=task.id)
    assert not Task.objects.filter(id=task.id).exists()


def test_a_task_cannot_be_created_in_a_project_the_actor_does_not_see(mallory, project):
    with pytest.raises(ValidationError) as raised:
        create_task(actor=mallory, title="Spam", project_id=project.id)
    assert codes(raised.value) == {"project_id": ["project_not_found"]}


def test_an_inactive_user_cannot_be_assigned(alice, mallory):
    mallory.is_active = False
    mallory.save()
    with pytest.raises(ValidationError) as raised:
        create_task(actor=alice, title="Draft", assignee_id=mallory.id)
    assert codes(raised.value) == {"assignee_id": ["not_assignable"]}
