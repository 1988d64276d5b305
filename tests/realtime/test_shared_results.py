"""A subscription event is executed once per operation for all its subscribers, and sharing
that result is sound: a TaskChange shows every viewer the same thing."""

import asyncio

import pytest
from graphql import build_schema, get_named_type, is_leaf_type, is_required_argument

from backend.realtime.groups import STAFF_GROUP, project_group, user_group
from schema import schema
from schema.shared_events import SharingExecutionContext, _SharedResults
from schema.tasks.subscriptions import TaskChangeType
from tests.conftest import operation
from tests.realtime.conftest import GraphQLSocket, run, wait_for_group


@pytest.fixture
def executions(monkeypatch):
    """The operations a TaskChange event was executed for, one per run."""
    executed = []
    execute_event = SharingExecutionContext.execute_event

    def counted(self, payload, execute):
        def counting():
            if isinstance(payload, TaskChangeType):
                executed.append(self.operation_key())
            return execute()

        return execute_event(self, payload, counting)

    monkeypatch.setattr(SharingExecutionContext, "execute_event", counted)
    return executed


def every_field(graphql_type, depth: int) -> str:
    """A selection of every field reachable from `graphql_type`, `depth` objects deep."""
    named = get_named_type(graphql_type)
    if is_leaf_type(named):
        return ""
    if depth == 0:
        return "{ __typename }"
    selections = [
        f"{name} {every_field(field.type, depth - 1)}".strip()
        for name, field in named.fields.items()
        if not any(is_required_argument(argument) for argument in field.args.values())
    ]
    return "{ " + " ".join(selections) + " }"


async def subscribe_as(user, name, document=None, **variables) -> GraphQLSocket:
    socket = GraphQLSocket()
    await socket.open_as(user)
    await socket.communicator.send_json_to(
        {
            "id": name,
            "type": "subscribe",
            "payload": {"query": document or operation("taskChanged"), "variables": variables},
        }
    )
    return socket


@pytest.mark.django_db(transaction=True)
async def test_one_execution_serves_every_subscriber_of_an_operation(
    alice, bob, staff, as_alice, task, executions
):
    in_project = {"projectId": str(task.project_id)}
    sockets = [await subscribe_as(user, "1", **in_project) for user in (alice, bob, staff)]
    await sockets[1].subscribe("everything", "taskChanged")
    await wait_for_group(project_group(task.project_id))
    await wait_for_group(STAFF_GROUP)
    await wait_for_group(user_group(bob.id))

    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "Shared"})

    # Bob's two subscriptions answer in either order.
    bobs = {message["id"]: message for message in [await sockets[1].receive() for _ in "12"]}
    results = [
        (await sockets[0].next_data("1"))["taskChanged"],
        bobs["1"]["payload"]["data"]["taskChanged"],
        (await sockets[2].next_data("1"))["taskChanged"],
        bobs["everything"]["payload"]["data"]["taskChanged"],
    ]
    assert results[0]["task"]["title"] == "Shared"
    assert all(result == results[0] for result in results)
    # One run for the three subscribers of the project's operation, one for the other
    # variables: the same document does not mean the same operation.
    assert len(executions) == 2
    for socket in sockets:
        await socket.close()


@pytest.mark.django_db(transaction=True)
async def test_a_task_change_reads_the_same_for_every_viewer(
    alice, bob, staff, as_alice, task, executions
):
    """Sharing a result is only sound while no field reachable from TaskChange depends on
    who asks. Each viewer here sends a different document text, so that each result is
    computed for its own viewer; a viewer-dependent field would make them differ."""
    await run(as_alice, "assignTask", taskId=task.id, assigneeId=bob.id)
    selection = every_field(build_schema(schema.as_str()).get_type("TaskChange"), depth=4)
    document = "subscription ($projectId: ID) { taskChanged(projectId: $projectId) %s }"
    viewers = {"owner": alice, "member": bob, "staff": staff}
    sockets = [
        await subscribe_as(
            user, "1", f"{document % selection}\n# as {role}", projectId=str(task.project_id)
        )
        for role, user in viewers.items()
    ]
    await wait_for_group(project_group(task.project_id))
    await wait_for_group(STAFF_GROUP)

    await run(as_alice, "addComment", taskId=task.id, content="For everyone")

    results = [(await socket.next_data("1"))["taskChanged"] for socket in sockets]
    assert results[0]["task"]["comments"][0]["content"] == "For everyone"
    assert results[0]["task"]["project"]["members"]
    assert results[0] == results[1] == results[2]
    assert len(executions) == len(viewers)
    for socket in sockets:
        await socket.close()


async def test_a_subscriber_leaving_does_not_cancel_the_result_the_others_wait_for():
    results = _SharedResults()
    finish = asyncio.Event()

    async def execute():
        await finish.wait()
        return "the result"

    def executed_twice():
        raise AssertionError("executed twice")

    leaving = asyncio.ensure_future(results.get(("event", "operation"), execute))
    staying = asyncio.ensure_future(results.get(("event", "operation"), executed_twice))
    await asyncio.sleep(0)
    leaving.cancel()
    finish.set()

    assert await staying == "the result"
