"""Where Stride leans on Strawberry, strawberry-django and graphql-core beyond their documented
API: every such assumption, here and nowhere else. tests/graphql/test_adapters.py and
tests/realtime/test_subscription_hooks.py pin each one, so that an upgrade that breaks it fails
there, by name, rather than as a slower or wrong answer.

1. `ModelAttributeField`: strawberry-django runs every field through a resolver of its own (an
   `Info`, permission checks, field extensions), even a column that only needs reading.
   Strawberry skips that for a "basic" field (`StrawberryField.is_basic_field`: no resolver, no
   extensions) and calls its `get_result` without an `Info`. This class makes a column, an
   annotation or a forward relation basic, and reads a loaded column or an annotation from the
   instance's `__dict__`, where Django keeps them; anything else (a deferred column, a relation)
   goes through strawberry-django's own `get_result`, which loads it.
2. `QuerySetOptimizer`: strawberry-django's optimizer extension is also a field middleware that
   wraps every resolver to optimize a QuerySet a plain resolver may return. strawberry-django's
   fields optimize theirs without it, and Stride's root lists call `optimize`
   (`schema.pagination.offset_page`), so the middleware only costs time; Strawberry installs an
   extension as a middleware only when its class overrides `SchemaExtension.resolve`.
3. `EventExecutionContext` (for schema/shared_events.py): Strawberry executes with
   `strawberry.schema.schema.StrawberryGraphQLCoreExecutionContext` (undocumented) unless the
   documented `execution_context_class` names another. A replacement extends it, since
   Strawberry passes executors keyword arguments of its own (`operation_extensions`).
4. graphql-core's `subscribe()`, which Strawberry calls, executes each source event as
   `build_per_event_executor(payload).execute_operation(False)` on the subscription's executor,
   and uses nothing else of what `build_per_event_executor` returns. Both methods are
   documented; overriding one is not (graphql-core 3.3 suggests composing the pipeline with
   `map_source_to_response_event`, which Strawberry does not let a schema do).
5. An executor's `operation`, `fragment_definitions` and `variable_values.coerced` (the
   variables after defaults and coercion) are as graphql-core 3.3's `Executor` documents them.
6. `result_message`: Strawberry's WebSocket handlers serialize each result message with the
   view's `encode_json` (documented for HTTP responses) as `{"id", "type", "payload": {"data":
   data}}` when the result has neither errors nor extensions, `data` being the execution
   result's own object, not a copy: a result shared by subscribers reaches `encode_json` as one
   object.
7. `describe` and `describe_values`: Strawberry takes descriptions as arguments where a type,
   field or enum value is declared (`description=`, `strawberry.enum_value`), which Stride cannot
   do for types declared by strawberry-django (`OperationInfo`, `OffsetPaginationInfo`, ...) nor
   for the values of a Django `TextChoices` (its members cannot be `enum_value`s). Both set the
   `description` of the definitions Strawberry reads when it builds the schema: an object's
   from the documented `get_object_definition`, an enum's from its `__strawberry_definition__`
   (`StrawberryEnumDefinition.values`). tests/graphql/test_schema_descriptions.py fails on any
   description that does not reach the schema.
8. `CountedConnection`: strawberry-django's `DjangoListConnection.total_count` may answer null
   (for a list that is not a QuerySet) and is declared `Int`; over the QuerySets Stride returns
   it never is. A subclass calls it as it stands (Strawberry leaves a field's resolver a plain
   method of its class): it reads the count the page query computed alongside its rows, or runs
   one COUNT. Only the declared type changes, to `Int!`.
"""

import json
from collections.abc import Awaitable, Callable

import strawberry
import strawberry_django
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import cached_property
from graphql import print_ast
from strawberry import relay
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import get_object_definition
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension
from strawberry_django.relay import DjangoListConnection


class ModelAttributeField(StrawberryDjangoField):
    @property
    def is_basic_field(self) -> bool:
        # Lists, connections and pages need the resolver: it filters and optimizes their
        # QuerySets with the field's `Info`.
        return not (
            self.base_resolver
            or self.extensions
            or self.is_list
            or self.is_connection
            or self.is_paginated
        )

    def get_result(self, source, info, args, kwargs):
        if info is None and source is not None:
            name = self._stored_as(type(source))
            if name is not None and name in source.__dict__:
                return source.__dict__[name]
        return super().get_result(source, info, args, kwargs)

    def _stored_as(self, model) -> str | None:
        """The name under which Django stores this field's value on an instance of `model`, as
        it is read: a column's, an annotation's or a cached property's. None otherwise."""
        stored = self.__dict__.setdefault("_stored", {})
        if model not in stored:
            name = self.django_name or self.python_name
            descriptor = model.__dict__.get(name)
            # Exactly a column's descriptor: subclasses (a file field's) wrap the value.
            if type(descriptor) is DeferredAttribute:
                stored[model] = descriptor.field.attname
            elif descriptor is None or isinstance(descriptor, cached_property):
                stored[model] = name
            else:
                stored[model] = None
        return stored[model]


def model_type(model, **kwargs):
    """`strawberry_django.type(model, ...)` with `ModelAttributeField` fields."""
    return strawberry_django.type(model, field_cls=ModelAttributeField, **kwargs)


class QuerySetOptimizer(DjangoOptimizerExtension):
    """strawberry-django's optimizer for the QuerySets strawberry-django's own fields resolve,
    without wrapping every field's resolver."""

    resolve = SchemaExtension.resolve


Executed = Awaitable | object


class EventExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with a say in how each subscription event executes."""

    def execute_event(self, payload: object, execute: Callable[[], Executed]) -> Executed:
        """The result of one event; `execute()` executes it as graphql-core would."""
        return execute()

    def operation_key(self) -> tuple[str, str, str | None]:
        """The operation's document text, its coerced variables (JSON) and its name."""
        location = self.operation.loc
        document = (
            location.source.body
            if location is not None
            else "\n".join(
                print_ast(node) for node in (self.operation, *self.fragment_definitions.values())
            )
        )
        variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=str)
        name = self.operation.name.value if self.operation.name else None
        return document, variables, name

    def build_per_event_executor(self, payload):
        return _Event(self, payload)


class _Event:
    """What `build_per_event_executor` returns: graphql-core only executes it."""

    def __init__(self, executor: EventExecutionContext, payload: object):
        self.executor = executor
        self.payload = payload

    def execute_operation(self, serially: bool | None = None) -> Executed:
        build = super(EventExecutionContext, self.executor).build_per_event_executor
        return self.executor.execute_event(
            self.payload, lambda: build(self.payload).execute_operation(serially)
        )


def result_message(message: object) -> tuple[object, object, object] | None:
    """(id, type, data) of a message that carries a result's data and nothing else."""
    if (
        isinstance(message, dict)
        and message.keys() == {"id", "type", "payload"}
        and isinstance(message["payload"], dict)
        and message["payload"].keys() == {"data"}
    ):
        return message["id"], message["type"], message["payload"]["data"]
    return None


def describe(cls, description: str, **fields: str) -> None:
    """Describe a type declared elsewhere, and the fields named (by their Python names)."""
    definition = get_object_definition(cls, strict=True)
    definition.description = description
    by_name = {field.python_name: field for field in definition.fields}
    for name, text in fields.items():
        by_name[name].description = text


def describe_values(enum, description: str | None = None, **values: str) -> None:
    """Describe the values (by member name) of an enum given to `strawberry.enum` already, and
    the enum itself when `description` is given."""
    definition = enum.__strawberry_definition__
    if description is not None:
        definition.description = description
    by_name = {value.name: value for value in definition.values}
    for name, text in values.items():
        by_name[name].description = text


@strawberry.type
class CountedConnection(DjangoListConnection[relay.NodeType]):
    @strawberry.field(description="How many items the whole list holds, across all pages.")
    def total_count(self) -> int:
        return super().total_count()
