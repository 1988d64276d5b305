"""taskChanged over both WebSocket protocols: subscribe, mutate over HTTP, receive."""

import asyncio

import pytest

from backend.realtime.groups import STAFF_GROUP, project_group, user_group
from tests.conftest import make_user
from tests.realtime.conftest import (
    LEGACY_WS,
    TRANSPORT_WS,
    GraphQLSocket,
    client_of,
    run,
    wait_for_group,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def carol(db):
    return make_user("carol")


@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_member_sees_a_change_made_by_another_member(protocol, bob, as_alice, task):
    socket = GraphQLSocket(protocol)
    await socket.open_as(bob)
    await socket.subscribe("1", "taskChanged")
    await wait_for_group(project_group(task.project_id))

    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "status": "IN_PROGRESS"})

    change = (await socket.next_data("1"))["taskChanged"]
    assert change["kind"] == "UPDATED"
    assert change["taskId"] == str(task.id)
    assert change["projectId"] == str(task.project_id)
    assert change["task"]["status"] == "IN_PROGRESS"
    assert change["task"]["version"] == 2
    assert change["task"]["project"]["name"] == "Launch"
    assert change["actor"]["username"] == "alice"
    await socket.close()


async def test_every_kind_of_change_arrives_in_order(bob, as_alice, as_bob, project):
    socket = GraphQLSocket()
    await socket.open_as(bob)
    await socket.subscribe("1", "taskChanged", projectId=str(project.id))
    await wait_for_group(project_group(project.id))

    created = await run(as_alice, "createTask", input={"title": "Draft", "projectId": project.id})
    await run(as_alice, "assignTask", taskId=created["id"], assigneeId=str(as_bob.user.id))
    await run(as_bob, "addComment", taskId=created["id"], content="On it")
    await run(as_alice, "deleteTask", id=created["id"])

    kinds = [(await socket.next_data("1"))["taskChanged"] for _ in range(4)]
    assert [change["kind"] for change in kinds] == ["CREATED", "ASSIGNED", "COMMENTED", "DELETED"]
    assert kinds[1]["task"]["assignee"]["username"] == "bob"
    assert kinds[2]["actor"]["username"] == "bob"
    assert kinds[3]["task"] is None
    assert kinds[3]["taskId"] == created["id"]
    await socket.close()


async def test_outsider_receives_nothing_about_a_task_they_cannot_see(
    mallory, as_alice, as_mallory, task
):
    socket = GraphQLSocket()
    await socket.open_as(mallory)
    await socket.subscribe("1", "taskChanged")
    await wait_for_group(user_group(mallory.id))

    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "Secret"})
    await run(as_alice, "addComment", taskId=task.id, content="Also secret")
    own = await run(as_mallory, "createTask", input={"title": "Mine"})

    # Her own task is the first thing she hears about: nothing of Alice's came before it.
    change = (await socket.next_data("1"))["taskChanged"]
    assert (change["kind"], change["taskId"]) == ("CREATED", own["id"])
    await socket.nothing_more()
    await socket.close()


async def test_member_removed_from_the_project_stops_receiving_its_events(
    alice, bob, as_alice, as_bob, task
):
    socket = GraphQLSocket()
    await socket.open_as(bob)
    await socket.subscribe("1", "taskChanged")
    await wait_for_group(project_group(task.project_id), size=1)

    await run(as_alice, "removeProjectMember", projectId=task.project_id, userId=bob.id)
    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "After"})
    own = await run(as_bob, "createTask", input={"title": "Bob's own"})

    change = (await socket.next_data("1"))["taskChanged"]
    assert (change["kind"], change["taskId"]) == ("CREATED", own["id"])
    # The socket also left the project's group: the removal moved its routing too.
    await wait_for_group(project_group(task.project_id), size=0)
    await socket.close()


async def test_member_added_to_a_project_starts_receiving_its_events(
    alice, carol, as_alice, project
):
    socket = GraphQLSocket()
    await socket.open_as(carol)
    await socket.subscribe("1", "taskChanged")
    await wait_for_group(user_group(carol.id))

    await run(as_alice, "addProjectMember", projectId=project.id, userId=carol.id)
    await wait_for_group(project_group(project.id))
    created = await run(as_alice, "createTask", input={"title": "Welcome", "projectId": project.id})

    change = (await socket.next_data("1"))["taskChanged"]
    assert (change["kind"], change["taskId"]) == ("CREATED", created["id"])
    await socket.close()


async def test_subscribers_of_different_projects_each_get_only_theirs(alice, bob, carol):
    as_alice, as_carol = await client_of(alice), await client_of(carol)
    launch = await run(as_alice, "createProject", input={"name": "Launch"})
    await run(as_alice, "addProjectMember", projectId=launch["id"], userId=bob.id)
    garden = await run(as_carol, "createProject", input={"name": "Garden"})
    bobs, carols = GraphQLSocket(), GraphQLSocket(LEGACY_WS)
    await bobs.open_as(bob)
    await carols.open_as(carol)
    await bobs.subscribe("b", "taskChanged", projectId=launch["id"])
    await carols.subscribe("c", "taskChanged", projectId=garden["id"])
    await wait_for_group(project_group(int(launch["id"])))
    await wait_for_group(project_group(int(garden["id"])))

    in_launch = await run(as_alice, "createTask", input={"title": "L", "projectId": launch["id"]})
    in_garden = await run(as_carol, "createTask", input={"title": "G", "projectId": garden["id"]})

    assert (await bobs.next_data("b"))["taskChanged"]["taskId"] == in_launch["id"]
    assert (await carols.next_data("c"))["taskChanged"]["taskId"] == in_garden["id"]
    await bobs.nothing_more()
    await carols.nothing_more()
    await bobs.close()
    await carols.close()


async def test_project_filter_leaves_out_other_projects_and_personal_tasks(
    alice, as_alice, project
):
    other = await run(as_alice, "createProject", input={"name": "Other"})
    socket = GraphQLSocket()
    await socket.open_as(alice)
    await socket.subscribe("1", "taskChanged", projectId=str(project.id))
    await wait_for_group(project_group(project.id))

    await run(as_alice, "createTask", input={"title": "Elsewhere", "projectId": other["id"]})
    await run(as_alice, "createTask", input={"title": "Personal"})
    wanted = await run(as_alice, "createTask", input={"title": "Here", "projectId": project.id})

    assert (await socket.next_data("1"))["taskChanged"]["taskId"] == wanted["id"]
    await socket.close()


async def test_kinds_and_assignee_narrow_the_changes_heard(alice, bob, as_alice, as_bob, task):
    socket = GraphQLSocket()
    await socket.open_as(alice)
    await socket.subscribe(
        "1", "taskChanged", kinds=["ASSIGNED", "COMMENTED"], assigneeId=str(bob.id)
    )
    await wait_for_group(project_group(task.project_id))

    await run(as_alice, "updateTask", input={"id": task.id, "title": "Not a kind asked for"})
    await run(as_alice, "assignTask", taskId=task.id, assigneeId=str(bob.id))
    await run(as_bob, "addComment", taskId=task.id, content="Mine now")
    await run(as_alice, "assignTask", taskId=task.id, assigneeId=str(alice.id))
    await run(as_alice, "addComment", taskId=task.id, content="Alice's task: not heard")
    await run(as_alice, "assignTask", taskId=task.id, assigneeId=str(bob.id))

    heard = [(await socket.next_data("1"))["taskChanged"] for _ in range(3)]
    # Only the kinds can be compared: `task` is the task as it is when the change is read.
    assert [change["kind"] for change in heard] == ["ASSIGNED", "COMMENTED", "ASSIGNED"]
    await socket.nothing_more()
    await socket.close()


async def test_an_assignee_id_that_cannot_exist_matches_nothing(alice, as_alice, task):
    socket = GraphQLSocket()
    await socket.open_as(alice)
    await socket.subscribe("1", "taskChanged", assigneeId="not-a-number")
    await socket.subscribe("2", "taskChanged")
    await wait_for_group(project_group(task.project_id))

    await run(as_alice, "assignTask", taskId=task.id, assigneeId=str(alice.id))

    assert (await socket.next_data("2"))["taskChanged"]["kind"] == "ASSIGNED"
    await socket.nothing_more()
    await socket.close()


async def test_two_subscriptions_on_one_socket_survive_the_end_of_one(bob, as_alice, task):
    socket = GraphQLSocket()
    await socket.open_as(bob)
    await socket.subscribe("project", "taskChanged", projectId=str(task.project_id))
    await socket.subscribe("everything", "taskChanged")
    await wait_for_group(project_group(task.project_id))
    await wait_for_group(user_group(bob.id))

    await socket.complete("project")
    # Give the server the time to end the first subscription before the change is made.
    await asyncio.sleep(0.2)
    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "Still"})

    change = (await socket.next_data("everything"))["taskChanged"]
    assert change["task"]["title"] == "Still"
    await socket.nothing_more()
    # The project group stays joined: the remaining subscription still routes through it.
    await wait_for_group(project_group(task.project_id), size=1)
    await socket.close()


async def test_staff_see_every_task_through_one_group(staff, as_mallory):
    socket = GraphQLSocket()
    await socket.open_as(staff)
    await socket.subscribe("1", "taskChanged")
    await wait_for_group(STAFF_GROUP)

    created = await run(as_mallory, "createTask", input={"title": "Anyone's"})

    assert (await socket.next_data("1"))["taskChanged"]["taskId"] == created["id"]
    await socket.nothing_more()
    await socket.close()


async def test_subscribing_to_a_project_you_cannot_see_is_an_error(mallory, project):
    socket = GraphQLSocket()
    await socket.open_as(mallory)
    await socket.subscribe("1", "taskChanged", projectId=str(project.id))

    message = await socket.receive()
    assert message["type"] == "error"
    assert message["payload"][0]["message"] == "No such project."
    await socket.close()
