"""The schema is its own reference: GraphiQL's docs pane shows a description for everything.

Read through the SDL the server prints, as a client's tooling reads it.
"""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    specified_scalar_types,
)

from backend.platform.errors import ErrorCode
from schema import schema

# Named here, each with the reason it has no description of Stride's: none so far. A type of a
# library is described in schema/ (schema.adapters.describe) rather than listed.
UNDESCRIBED: dict[str, str] = {}


def undescribed(built: GraphQLSchema) -> list[str]:
    """What lacks a description: types, fields, arguments, input fields and enum values."""
    missing = []

    def check(thing, name: str) -> None:
        if not (thing.description or "").strip() and name not in UNDESCRIBED:
            missing.append(name)

    for name, named in built.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue  # GraphQL's own, described by the specification
        check(named, name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                check(field, f"{name}.{field_name}")
                for argument_name, argument in getattr(field, "args", {}).items():
                    check(argument, f"{name}.{field_name}({argument_name})")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                check(value, f"{name}.{value_name}")
        else:
            assert isinstance(named, GraphQLUnionType | GraphQLScalarType), name
    return missing


def test_every_type_field_argument_and_enum_value_is_described():
    missing = undescribed(build_schema(schema.as_str()))
    assert not missing, "Describe these (description=..., strawberry.argument, enum_value):\n" + (
        "\n".join(missing)
    )


def test_the_check_finds_what_lacks_a_description():
    """The walk above reaches each kind of definition: none of these is described."""
    bare = build_schema(
        '''
        """The root."""
        type Query { plain(argument: Int): Kind, union: Either, input(value: Form): Custom }
        enum Kind { ONE }
        union Either = Query
        input Form { inner: Int }
        scalar Custom
        '''
    )
    assert sorted(undescribed(bare)) == [
        "Custom",
        "Either",
        "Form",
        "Form.inner",
        "Kind",
        "Kind.ONE",
        "Query.input",
        "Query.input(value)",
        "Query.plain",
        "Query.plain(argument)",
        "Query.union",
    ]


def test_root_operations_say_how_they_fail():
    """Every operation names its refusals: an error code, or `OperationInfo` for a mutation."""
    built = build_schema(schema.as_str())
    vague = [
        f"{root.name}.{name}"
        for root in (built.query_type, built.mutation_type, built.subscription_type)
        for name, field in root.fields.items()
        if not any(word in (field.description or "") for word in [*ErrorCode, "OperationInfo"])
    ]
    assert not vague, f"Say how these fail: {vague}"
