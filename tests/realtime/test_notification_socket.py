"""/ws/notifications/: the same events as plain JSON."""

import pytest

from backend.realtime.groups import project_group, user_group
from tests.realtime.conftest import NotificationSocket, run, token_of, wait_for_group

pytestmark = pytest.mark.django_db(transaction=True)


async def _socket_of(user) -> NotificationSocket:
    socket = NotificationSocket(token=await token_of(user))
    connected, _ = await socket.open()
    assert connected
    await wait_for_group(user_group(user.id))
    return socket


async def test_member_receives_task_events_and_their_notifications(bob, as_alice, task):
    socket = await _socket_of(bob)
    await wait_for_group(project_group(task.project_id))

    await run(as_alice, "assignTask", taskId=task.id, assigneeId=bob.id)

    # Two subscribers of the same event: their order is not part of the contract.
    received = {message["type"]: message for message in [await socket.receive() for _ in "12"]}
    assigned = received["task.assigned"]
    assert assigned["task"]["id"] == task.id
    assert assigned["task"]["assignee_id"] == bob.id
    assert assigned["actor"] == {"id": task.created_by_id, "username": "alice"}
    notification = received["notification.created"]["notification"]
    assert notification["kind"] == "assigned"
    assert notification["task_id"] == task.id
    assert notification["message"] == "alice assigned you “Write the announcement”"
    await socket.close()


async def test_outsider_receives_only_their_own(mallory, as_alice, as_mallory, task):
    socket = await _socket_of(mallory)

    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "Hidden"})
    own = await run(as_mallory, "createTask", input={"title": "Mine"})

    event = await socket.receive()
    assert (event["type"], event["task"]["id"]) == ("task.created", int(own["id"]))
    assert await socket.communicator.receive_nothing(timeout=0.3)
    await socket.close()


async def test_removal_is_announced_and_ends_the_project_events(bob, as_alice, as_bob, task):
    socket = await _socket_of(bob)
    await wait_for_group(project_group(task.project_id))

    await run(as_alice, "removeProjectMember", projectId=task.project_id, userId=bob.id)
    await run(as_alice, "deleteTask", id=task.id)
    own = await run(as_bob, "createTask", input={"title": "Mine"})

    assert await socket.receive() == {
        "type": "project.member_removed",
        "project_id": task.project_id,
    }
    event = await socket.receive()
    assert (event["type"], event["task"]["id"]) == ("task.created", int(own["id"]))
    await socket.close()
