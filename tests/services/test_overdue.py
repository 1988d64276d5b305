"""When a task's `is_overdue` turns without any write: what caches of it expire on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.tasks.models import TaskStatus
from backend.tasks.selectors import changes_with_the_clock
from backend.tasks.services import create_task

pytestmark = pytest.mark.django_db


def test_an_open_task_due_later_turns_overdue_at_its_due_date(alice):
    due = timezone.now() + timedelta(hours=1)
    assert create_task(actor=alice, title="Later", due_date=due).turns_overdue_at == due


@pytest.mark.parametrize(
    "due, status",
    [
        (None, TaskStatus.PENDING),
        (timedelta(hours=-1), TaskStatus.PENDING),
        (timedelta(hours=1), TaskStatus.COMPLETED),
    ],
    ids=["no due date", "already overdue", "completed"],
)
def test_other_tasks_never_turn_by_themselves(alice, due, status):
    due_date = timezone.now() + due if due is not None else None
    task = create_task(actor=alice, title="Task", due_date=due_date, status=status)
    assert task.turns_overdue_at is None


def test_only_lists_filtered_on_overdue_change_with_the_clock():
    assert changes_with_the_clock({"overdue": False})
    assert changes_with_the_clock({"overdue": True})
    assert not changes_with_the_clock({"overdue": None, "status": ["pending"]})
