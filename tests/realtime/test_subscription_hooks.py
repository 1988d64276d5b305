"""The assumptions of schema/adapters.py, one test each (numbered as there): when an
upgrade of graphql-core or Strawberry breaks one, the failure names it."""

import pytest
import strawberry
from graphql import build_schema, parse, subscribe
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from backend.realtime.consumers import GraphQLSocketConsumer
from backend.realtime.groups import project_group
from schema.adapters import EventExecutionContext, result_message
from tests.realtime.conftest import LEGACY_WS, TRANSPORT_WS, GraphQLSocket, run, wait_for_listeners

GREETINGS = build_schema(
    """
    type Query { noop: String }
    type Subscription { greeting(punctuation: String = "!"): String }
    """
)


async def greetings(*_, **__):
    yield {"greeting": "Hello"}
    yield {"greeting": "Bonjour"}


def test_3_strawberry_executes_with_the_class_the_hooks_extend():
    @strawberry.type
    class Query:
        noop: str = ""

    assert strawberry.Schema(query=Query).execution_context_class is (
        StrawberryGraphQLCoreExecutionContext
    )
    assert EventExecutionContext.__bases__ == (StrawberryGraphQLCoreExecutionContext,)


async def test_4_subscribe_executes_each_event_through_the_per_event_executor():
    seen = []

    class Replacing(EventExecutionContext):
        def execute_event(self, payload, execute):
            seen.append(payload)
            return {"replaced": execute()}

    stream = subscribe(
        GREETINGS,
        parse("subscription { greeting }"),
        root_value={"greeting": greetings},
        executor_class=Replacing,
    )

    results = [result async for result in stream]
    assert seen == [{"greeting": "Hello"}, {"greeting": "Bonjour"}]
    assert [result["replaced"].data for result in results] == [
        {"greeting": "Hello"},
        {"greeting": "Bonjour"},
    ]


@pytest.mark.parametrize("located", [True, False])
def test_5_the_operation_key_reads_the_document_variables_and_name(located):
    text = "subscription Greet($p: String) { greeting(punctuation: $p) ...Extra }"
    text += " fragment Extra on Subscription { again: greeting }"
    executor = EventExecutionContext.build(
        GREETINGS, parse(text, no_location=not located), raw_variable_values={"p": "?"}
    )

    document, variables, name = executor.operation_key()

    if located:
        assert document == text
    else:
        assert "query" not in document
        assert "greeting(punctuation: $p)" in document
        assert "fragment Extra on Subscription" in document
    assert (variables, name) == ('{"p": "?"}', "Greet")


def test_5_the_operation_key_holds_the_variables_after_their_defaults():
    text = 'subscription ($p: String = "!") { greeting(punctuation: $p) }'
    executor = EventExecutionContext.build(GREETINGS, parse(text))

    assert executor.operation_key()[1:] == ('{"p": "!"}', None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("protocol", [TRANSPORT_WS, LEGACY_WS])
async def test_6_a_shared_result_reaches_encode_json_as_one_data_object(
    protocol, monkeypatch, alice, bob, as_alice, task
):
    encoded = []
    encode_json = GraphQLSocketConsumer.encode_json

    def recorded(self, message):
        encoded.append(message)
        return encode_json(self, message)

    monkeypatch.setattr(GraphQLSocketConsumer, "encode_json", recorded)
    sockets = [GraphQLSocket(protocol), GraphQLSocket(protocol)]
    for socket, user in zip(sockets, (alice, bob), strict=True):
        await socket.open_as(user)
        await socket.subscribe("1", "taskChanged", projectId=str(task.project_id))
    await wait_for_listeners(project_group(task.project_id), 2)

    await run(as_alice, "updateTask", input={"id": task.id, "version": 1, "title": "Once"})
    for socket in sockets:
        await socket.next_data("1")

    results = [result_message(message) for message in encoded]
    results = [result for result in results if result is not None]
    expected_type = "next" if protocol == TRANSPORT_WS else "data"
    assert [(operation_id, kind) for operation_id, kind, _ in results] == [
        ("1", expected_type),
        ("1", expected_type),
    ]
    assert results[0][2] is results[1][2]
    assert results[0][2]["taskChanged"]["task"]["title"] == "Once"
    for socket in sockets:
        await socket.close()
