"""/ws/notifications/: the same events as plain JSON."""

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from backend.jobs.models import Job
from backend.jobs.services import run_process_job
from backend.realtime.consumers import INTERNAL_ERROR
from backend.realtime.groups import project_group, user_group
from backend.realtime.hub import hub_for
from backend.realtime.listening import TRY_AGAIN_LATER
from tests.realtime.conftest import (
    RECEIVE_TIMEOUT,
    GraphQLSocket,
    NotificationSocket,
    run,
    token_of,
    wait_for_group,
    wait_for_listeners,
)

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


def group_members(group: str) -> set[str]:
    """The channels in `group`, as channels-redis stores them (a sorted set)."""
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    try:
        return set(client.zrange(f"{prefix}:group:{group}", 0, -1))
    finally:
        client.close()


async def test_the_socket_listens_through_the_hub_not_as_a_group_member_of_its_own(
    alice, bob, task
):
    hub = hub_for(get_channel_layer())
    sockets = [await _socket_of(alice), await _socket_of(bob)]
    group = project_group(task.project_id)
    await wait_for_listeners(group, 2)
    await wait_for_group(group, size=1)
    # The process's one member, which the hub rejoins before channels-redis forgets it.
    assert group_members(group) == {hub.channel}
    assert group_members(user_group(bob.id)) == {hub.channel}
    for socket in sockets:
        await socket.close()


async def test_closing_the_socket_leaves_nothing_in_the_hub(bob, task):
    hub = hub_for(get_channel_layer())
    socket = await _socket_of(bob)
    await wait_for_listeners(project_group(task.project_id), 1)

    await socket.close()

    # At once: closing waits until the socket's listener has left, so nothing outlives it.
    assert not hub.members
    assert hub._receiving is None
    assert group_members(user_group(bob.id)) == set()
    assert group_members(project_group(task.project_id)) == set()


async def test_a_subscription_and_a_plain_socket_of_one_user_share_the_hub(bob, as_alice, task):
    group = project_group(task.project_id)
    subscription = GraphQLSocket()
    await subscription.open_as(bob)
    await subscription.subscribe("1", "taskChanged")
    plain = await _socket_of(bob)
    await wait_for_listeners(group, 2)
    await wait_for_group(group, size=1)

    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "Shared"})

    change = (await subscription.next_data("1"))["taskChanged"]
    assert (change["kind"], change["task"]["title"]) == ("UPDATED", "Shared")
    event = await plain.receive()
    assert (event["type"], event["task"]["title"]) == ("task.updated", "Shared")
    await subscription.close()
    await plain.close()
    assert not hub_for(get_channel_layer()).members


@pytest.mark.parametrize(
    ("failure", "close_code"),
    [
        (redis.ConnectionError("Redis is restarting"), TRY_AGAIN_LATER),
        (RuntimeError("a bug"), INTERNAL_ERROR),
    ],
)
async def test_a_socket_that_cannot_listen_is_closed_rather_than_left_deaf(
    bob, monkeypatch, failure, close_code
):
    async def fail(group, channel):
        raise failure

    monkeypatch.setattr(get_channel_layer(), "group_add", fail)
    socket = NotificationSocket(token=await token_of(bob))
    # Opened, so that the client reads why it is closed (refused, it would see an HTTP 403).
    assert await socket.open() == (True, None)
    closed = await socket.communicator.receive_output(timeout=RECEIVE_TIMEOUT)
    assert (closed["type"], closed["code"]) == ("websocket.close", close_code)
    await socket.close()
    assert not hub_for(get_channel_layer()).members


async def test_the_socket_is_listening_once_it_is_open(bob, as_alice, task):
    """A page reads what is new once its socket opens: any change after that must be heard,
    so the groups are joined before the handshake completes."""
    socket = NotificationSocket(token=await token_of(bob))
    connected, _ = await socket.open()
    assert connected
    assert group_members(user_group(bob.id))
    assert group_members(project_group(task.project_id))

    await run(as_alice, "updateTask", input={"id": str(task.id), "version": 1, "title": "Now"})

    assert (await socket.receive())["type"] == "task.updated"
    await socket.close()


async def test_the_owner_hears_the_progress_of_their_jobs(alice, bob):
    theirs = NotificationSocket(token=await token_of(alice))
    others = NotificationSocket(token=await token_of(bob))
    assert (await theirs.open())[0]
    assert (await others.open())[0]
    job = await Job.objects.acreate(owner=alice, title="Watched")

    await sync_to_async(run_process_job)(job_id=job.id)

    progress = []
    while not progress or progress[-1]["status"] != "COMPLETED":
        message = await theirs.receive()
        if message["type"] == "job.progress":
            progress.append(message["job"])
    assert progress[0] == {
        "id": job.id,
        "kind": "process",
        "status": "PROCESSING",
        "progress": 0,
        "attempts": 1,
        "deleted": False,
    }
    assert progress[-1]["progress"] == 100
    finished = await theirs.receive()
    assert finished["type"] == "notification.created"
    assert finished["notification"]["data"] == {"job_id": job.id, "status": "COMPLETED"}
    assert await others.communicator.receive_nothing(timeout=0.3)
    await theirs.close()
    await others.close()


async def test_what_a_client_sends_is_ignored_json_or_not(bob, as_alice, task):
    socket = await _socket_of(bob)
    await wait_for_group(project_group(task.project_id))
    await socket.communicator.send_to(text_data="hello, is anyone there?")
    await socket.communicator.send_to(text_data='{"type": "ping"}')
    assert await socket.communicator.receive_nothing(timeout=0.3)

    await run(as_alice, "updateTask", input={"id": str(task.id), "version": 1, "title": "Still"})

    assert (await socket.receive())["type"] == "task.updated"
    await socket.close()
