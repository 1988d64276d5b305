"""Two people saving the same version at the same time: one wins, the other gets a conflict."""

import threading
import time

import pytest
from django.db import connection, transaction

from backend.platform.errors import ConflictError
from backend.tasks.models import Task
from backend.tasks.services import create_task, update_task


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_from_the_same_version_let_only_one_through(alice):
    task = create_task(actor=alice, title="Draft")
    first_applied = threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                update_task(actor=alice, task_id=task.id, version=1, title="First")
                first_applied.set()
                # Keep the transaction open while the second update starts: without the row
                # lock it would read version 1 here and overwrite "First" once this commits.
                time.sleep(0.5)
        finally:
            connection.close()

    def second():
        first_applied.wait(timeout=10)
        try:
            update_task(actor=alice, task_id=task.id, version=1, title="Second")
            outcome["second"] = "applied"
        except ConflictError:
            outcome["second"] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert outcome == {"second": "conflict"}
    task = Task.objects.get(id=task.id)
    assert (task.title, task.version) == ("First", 2)
