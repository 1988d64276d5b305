"""What the WebSocket paths cost in SQL whatever the number of subscribers, and what their
DataLoaders (schema/dataloaders.py) may load: never another viewer's notification or job."""

import asyncio

import pytest

from backend.jobs.models import Job
from backend.jobs.services import run_process_job
from backend.notifications.models import Notification, NotificationKind
from backend.realtime.groups import STAFF_GROUP, project_group, user_group
from backend.realtime.jobs import job_group
from backend.tasks.services import assign_task, update_task
from schema.dataloaders import RECENT_EVENTS, AtEvent, RecentEvents, ViewerLoaders, for_events
from tests.realtime.conftest import (
    GraphQLSocket,
    call_elsewhere,
    queries_of_sockets,
    run_elsewhere,
    wait_for_group,
    wait_for_listeners,
)

pytestmark = pytest.mark.django_db(transaction=True)

USER = "{ id username firstName lastName }"
# Every field a TaskChange shows, lists aside (they are read when selected).
EVERY_FIELD_BUT_LISTS = f"""
subscription ($projectId: ID) {{
  taskChanged(projectId: $projectId) {{
    kind taskId projectId
    task {{
      id title description status priority dueDate createdAt updatedAt completedAt version
      commentCount isOverdue
      project {{ id name description createdAt updatedAt owner {USER} }}
      createdBy {USER}
      assignee {USER}
    }}
    actor {USER}
  }}
}}
"""


async def subscribe(socket: GraphQLSocket, operation_id: str, document: str, **variables):
    await socket.communicator.send_json_to(
        {
            "id": operation_id,
            "type": "subscribe",
            "payload": {"query": document, "variables": variables},
        }
    )


async def socket_of(user) -> GraphQLSocket:
    socket = GraphQLSocket()
    await socket.open_as(user)
    return socket


@pytest.mark.parametrize("subscribers", ["one", "four, in three groups"])
async def test_a_task_change_costs_two_queries_whatever_the_number_of_subscribers(
    subscribers, alice, bob, staff, as_alice, task
):
    """The task with all it shows, and the actor: once per event and process, also for the
    subscribers who hear the event from another group (staff, a subscription to everything)."""
    await call_elsewhere(assign_task, actor=alice, task_id=task.id, assignee_id=bob.id)
    in_project = {"projectId": str(task.project_id)}
    subscriptions = [(bob, "1", in_project)]
    if subscribers != "one":
        subscriptions += [(alice, "1", in_project), (staff, "1", in_project), (bob, "2", {})]
    sockets = {}
    for user, operation_id, variables in subscriptions:
        if user not in sockets:
            sockets[user] = await socket_of(user)
        await subscribe(sockets[user], operation_id, EVERY_FIELD_BUT_LISTS, **variables)
    await wait_for_listeners(project_group(task.project_id), 1 + 2 * (subscribers != "one"))
    if subscribers != "one":
        await wait_for_listeners(STAFF_GROUP, 1)

    async with queries_of_sockets() as queries:
        await run_elsewhere(
            as_alice, "updateTask", input={"id": task.id, "version": 2, "title": "Counted"}
        )
        # Bob's two subscriptions answer in either order.
        messages = [await sockets[user].receive() for user, _, _ in subscriptions]

    assert all(message["type"] == "next" for message in messages), messages
    changes = [message["payload"]["data"]["taskChanged"] for message in messages]
    assert len(queries) == 2, queries
    assert all(change == changes[0] for change in changes)
    assert changes[0]["task"]["assignee"]["username"] == "bob"
    assert changes[0]["task"]["project"]["owner"]["username"] == "alice"
    assert changes[0]["actor"]["username"] == "alice"
    for socket in sockets.values():
        await socket.close()


async def test_each_change_of_a_task_is_read_afresh_at_two_queries_an_event(
    alice, bob, as_alice, task
):
    socket = await socket_of(bob)
    await subscribe(socket, "1", EVERY_FIELD_BUT_LISTS)
    await wait_for_group(project_group(task.project_id))

    async with queries_of_sockets() as queries:
        for version, title in enumerate(["First", "Second", "Third"], start=1):
            update = {"id": task.id, "version": version, "title": title}
            await run_elsewhere(as_alice, "updateTask", input=update)
        titles = [(await socket.next_data("1"))["taskChanged"]["task"]["title"] for _ in "123"]

    assert titles == ["First", "Second", "Third"]
    assert len(queries) == 6, queries
    await socket.close()


async def test_a_task_change_without_the_task_or_actor_costs_no_query(bob, as_alice, task):
    socket = await socket_of(bob)
    await subscribe(socket, "1", "subscription { taskChanged { kind taskId } }")
    await wait_for_group(project_group(task.project_id))

    async with queries_of_sockets() as queries:
        await run_elsewhere(
            as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "?"}
        )
        change = (await socket.next_data("1"))["taskChanged"]

    assert change == {"kind": "UPDATED", "taskId": str(task.id)}
    assert queries == []
    await socket.close()


async def test_a_notification_costs_one_query_for_the_subscriptions_of_a_socket(
    alice, bob, as_alice, task
):
    socket = await socket_of(bob)
    await socket.subscribe("inbox", "notificationReceived")
    await socket.subscribe("again", "notificationReceived")
    await wait_for_listeners(user_group(bob.id), 2)

    async with queries_of_sockets() as queries:
        await run_elsewhere(as_alice, "assignTask", taskId=task.id, assigneeId=bob.id)
        # The two subscriptions answer in either order.
        received = {message["id"]: message for message in [await socket.receive() for _ in "12"]}

    assert len(queries) == 1, queries
    notifications = [received[name]["payload"]["data"]["notificationReceived"] for name in received]
    assert {notification["kind"] for notification in notifications} == {"ASSIGNED"}
    await socket.close()


async def test_job_progress_costs_two_queries_to_start_and_one_when_the_job_finishes(alice):
    job = await Job.objects.acreate(owner=alice, title="Counted")
    socket = await socket_of(alice)

    async with queries_of_sockets() as starting:
        await socket.subscribe("1", "jobProgress", jobId=str(job.id))
        assert (await socket.next_data("1"))["jobProgress"]["status"] == "PENDING"
    await wait_for_group(job_group(job.id))
    async with queries_of_sockets() as running:
        await call_elsewhere(run_process_job, job_id=job.id)
        states = []
        while not states or states[-1] != "COMPLETED":
            states.append((await socket.next_data("1"))["jobProgress"]["status"])

    # Whether the job may be seen, then its first state (read after joining its group).
    assert len(starting) == 2, starting
    # Progress comes in the messages; only the finished job is read, for its result.
    assert len(running) == 1, running
    assert states[0] == "PROCESSING"
    await socket.close()


async def notification_for(user) -> Notification:
    return await Notification.objects.acreate(
        user=user, kind=NotificationKind.DUE_SOON, message="Soon"
    )


async def test_a_viewer_never_loads_another_users_notification(bob, mallory):
    bobs = await notification_for(bob)
    mallorys = await notification_for(mallory)

    async with queries_of_sockets() as queries:
        loaded = await ViewerLoaders.of(mallory).notifications.load_many([bobs.id, mallorys.id])

    assert loaded == [None, mallorys]
    assert len(queries) == 1


async def test_a_viewer_never_loads_another_users_job_but_staff_load_any(alice, mallory, staff):
    alices = await Job.objects.acreate(owner=alice, title="Private")
    mallorys = await Job.objects.acreate(owner=mallory, title="Hers")

    async with queries_of_sockets() as queries:
        as_mallory = await ViewerLoaders.of(mallory).jobs.load_many([alices.id, mallorys.id])
        as_staff = await ViewerLoaders.of(staff).jobs.load_many([alices.id, mallorys.id])
        owners = [job.owner.username for job in as_staff]

    assert as_mallory == [None, mallorys]
    assert as_staff == [alices, mallorys]
    # One query a batch, the owners joined.
    assert owners == ["alice", "mallory"]
    assert len(queries) == 2


async def test_unknown_and_repeated_ids_load_in_one_query(alice):
    job = await Job.objects.acreate(owner=alice, title="Twice")
    loaders = ViewerLoaders.of(alice)

    async with queries_of_sockets() as queries:
        loaded = await loaders.jobs.load_many([job.id, 2**62, job.id])

    assert loaded == [job, None, job]
    assert len(queries) == 1


async def test_an_event_without_an_actor_loads_none_without_a_query():
    async with queries_of_sockets() as queries:
        assert await for_events().users.load(AtEvent("event", None)) is None
    assert queries == []


async def test_an_event_reads_its_task_once_and_the_next_event_afresh(alice, task):
    tasks = for_events().tasks

    async with queries_of_sockets() as queries:
        first = await tasks.load(AtEvent("first", task.id))
        await call_elsewhere(update_task, actor=alice, task_id=task.id, version=1, title="Renamed")
        # A subscriber late to the first event: the same read, no query.
        late = await tasks.load(AtEvent("first", task.id))
        second = await tasks.load(AtEvent("second", task.id))

    assert late is first
    assert (first.title, second.title) == ("Write the announcement", "Renamed")
    assert len(queries) == 2


async def test_the_loads_of_only_the_most_recent_events_are_kept():
    recent = RecentEvents(size=2)
    futures = [asyncio.get_running_loop().create_future() for _ in range(3)]
    for number, future in enumerate(futures):
        recent.set(AtEvent(str(number), 1), future)

    assert recent.get(AtEvent("0", 1)) is None
    assert [recent.get(AtEvent(str(number), 1)) for number in (1, 2)] == futures[1:]
    assert RECENT_EVENTS >= 100
