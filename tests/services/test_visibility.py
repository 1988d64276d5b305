"""The visibility rule as QuerySet methods, and the selectors built on them."""

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.projects.models import Project
from backend.projects.selectors import get_project, project_list
from backend.projects.services import add_project_member, create_project, remove_project_member
from backend.tasks.models import Task
from backend.tasks.selectors import count_tasks, get_task, task_list
from backend.tasks.services import create_task


def test_a_task_seen_through_every_rule_at_once_is_listed_once(alice, bob, project):
    """Creator, assignee and member of the project: one row, not three."""
    task = create_task(actor=bob, title="Bob's", project_id=project.id, assignee_id=bob.id)
    visible = Task.objects.visible_to(bob)
    assert list(visible) == [task]
    assert visible.count() == 1


def test_a_task_in_a_project_with_many_members_is_listed_once(alice, bob, mallory, task):
    add_project_member(actor=alice, project_id=task.project_id, user_id=mallory.id)
    assert list(Task.objects.visible_to(alice)) == [task]


def test_members_see_the_tasks_of_their_projects_only(alice, bob, mallory, task):
    create_task(actor=mallory, title="Mallory's")
    assert list(Task.objects.visible_to(bob)) == [task]


def test_an_assignee_who_left_the_project_still_sees_the_task(alice, bob, project):
    task = create_task(actor=alice, title="Favour", project_id=project.id, assignee_id=bob.id)
    remove_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    assert list(Task.objects.visible_to(bob)) == [task]


def test_a_removed_member_no_longer_sees_the_projects_tasks(alice, bob, project, task):
    remove_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    assert not Task.objects.visible_to(bob).exists()
    with pytest.raises(Task.DoesNotExist):
        get_task(user=bob, task_id=task.id)


def test_staff_see_every_task(staff, mallory, task):
    personal = create_task(actor=mallory, title="Mallory's")
    assert set(Task.objects.visible_to(staff)) == {task, personal}


def test_anonymous_sees_no_task_and_no_project(task):
    assert not Task.objects.visible_to(AnonymousUser()).exists()
    assert not Project.objects.visible_to(AnonymousUser()).exists()


def test_projects_are_visible_to_owner_and_members_only(alice, bob, mallory, project):
    assert list(Project.objects.visible_to(alice)) == [project]
    assert list(Project.objects.visible_to(bob)) == [project]
    assert not Project.objects.visible_to(mallory).exists()
    with pytest.raises(Project.DoesNotExist):
        get_project(user=mallory, project_id=project.id)


def test_staff_see_every_project(staff, project):
    assert list(Project.objects.visible_to(staff)) == [project]


def test_project_list_searches_and_orders(alice):
    create_project(actor=alice, name="Beta", description="roses")
    create_project(actor=alice, name="Alpha roses")
    create_project(actor=alice, name="Gamma")
    found = project_list(user=alice, search="ROSES", ordering=["name"])
    assert [project.name for project in found] == ["Alpha roses", "Beta"]


def test_project_list_ignores_an_unknown_ordering(alice):
    create_project(actor=alice, name="Beta")
    create_project(actor=alice, name="Alpha")
    found = project_list(user=alice, ordering=["owner__password"])
    assert [project.name for project in found] == ["Alpha", "Beta"]


def test_task_list_refuses_an_unknown_ordering(alice):
    with pytest.raises(ValueError, match="Cannot order tasks by 'created_by__password'"):
        task_list(user=alice, ordering=["created_by__password"])


def test_task_list_filters_never_widen_visibility(alice, mallory, project, task):
    create_task(actor=mallory, title="Write the announcement too")
    found = task_list(user=alice, search="announcement")
    assert list(found) == [task]
    assert not task_list(user=mallory, project_id=project.id).exists()


@pytest.fixture
def every_situation(alice, bob, mallory, staff):
    """Tasks seen through each part of the rule, alone and together, for three people."""
    launch = create_project(actor=alice, name="Launch")
    add_project_member(actor=alice, project_id=launch.id, user_id=bob.id)
    elsewhere = create_project(actor=mallory, name="Elsewhere")
    rows = [
        (launch, alice, None),
        (launch, alice, bob),
        (launch, bob, bob),
        (None, alice, None),
        (None, alice, mallory),
        (None, mallory, mallory),
        (elsewhere, mallory, None),
        (elsewhere, alice, None),  # alice created it while she was a member, say
        (elsewhere, mallory, bob),
        (elsewhere, bob, bob),
    ]
    for number, (project, creator, assignee) in enumerate(rows):
        Task.objects.create(
            title=f"Task {number}", project=project, created_by=creator, assignee=assignee
        )
    return [alice, bob, mallory, staff, AnonymousUser()]


def test_counting_in_parts_counts_what_the_rule_shows(every_situation):
    for user in every_situation:
        tasks = Task.objects.all()
        assert tasks.count_visible_to(user) == tasks.visible_to(user).count(), user
        pending = tasks.filter(title__in=["Task 1", "Task 4", "Task 9"])
        assert pending.count_visible_to(user) == pending.visible_to(user).count(), user


def test_the_count_of_a_filtered_list_matches_its_rows(every_situation, bob):
    assert count_tasks(user=bob, search="Task") == task_list(user=bob, search="Task").count() == 5
    assert count_tasks(user=bob, assignee_id=bob.id) == 4
