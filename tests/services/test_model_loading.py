"""Rows become instances without Model.__init__ (backend/core/models.py): the same instances."""

import pytest
from django.db.models.signals import post_init

from backend.accounts.models import User
from backend.core.models import LoadedWithoutInit
from backend.projects.models import Project
from backend.tasks.models import Task
from backend.tasks.services import create_task

pytestmark = pytest.mark.django_db


def test_hot_models_load_without_init():
    for model in (Task, Project, User):
        assert issubclass(model, LoadedWithoutInit)


def test_a_loaded_instance_is_the_one_init_would_build(alice, project, task):
    loaded = Task.objects.select_related("project", "assignee").get(id=task.id)

    assert loaded.__dict__.keys() - {"_state"} == {
        field.attname for field in Task._meta.concrete_fields
    }
    assert loaded._state.adding is False
    assert loaded._state.db == "default"
    assert loaded.project == project
    assert loaded.assignee is None
    assert loaded == task


def test_deferred_columns_are_loaded_on_first_read(task):
    loaded = Task.objects.only("id", "title").get(id=task.id)

    assert loaded.get_deferred_fields() >= {"description", "status", "project_id"}
    assert loaded.status == "pending"
    assert "status" in loaded.__dict__


def test_a_loaded_instance_saves_as_an_update(alice, task):
    loaded = Task.objects.get(id=task.id)
    loaded.title = "Renamed"
    loaded.save(update_fields=["title"])

    assert Task.objects.count() == 1
    assert Task.objects.get(id=task.id).title == "Renamed"


def test_with_a_post_init_receiver_django_builds_the_instance(alice, task):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.id)

    post_init.connect(receiver, sender=Task)
    try:
        create_task(actor=alice, title="Second")
        loaded = list(Task.objects.order_by("id"))
    finally:
        post_init.disconnect(receiver, sender=Task)

    assert [task.id for task in loaded] == seen[-2:]
