"""Plain model attributes resolved without Strawberry's per-field machinery.

A page of 50 tasks with their project and assignee resolves ~600 fields; through Strawberry
and strawberry-django each one builds an `Info`, parses (absent) arguments, chains field
extensions and asks strawberry-django whether the attribute is loaded: ~20 us a field, most of
an uncached list request. For a field that is only a model column or a forward relation, with
no resolver, permission or extension of its own, none of that can change the answer, so its
GraphQL resolver is replaced by a direct read of the loaded value.

When the value is not loaded (a deferred column, a relation not joined) the fast resolver
hands over to the original one, which loads it as before: same answers, same queries, and the
same async safety for subscriptions (which must not touch the database from the event loop).
"""

from django.db.models import Model
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.db.models.query_utils import DeferredAttribute
from graphql import GraphQLObjectType
from strawberry import Schema
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.utils.typing import get_django_definition

_NOT_LOADED = object()


def _column_resolver(attname: str, original):
    def resolve(source, info, **kwargs):
        value = source.__dict__.get(attname, _NOT_LOADED)
        if value is _NOT_LOADED:
            return original(source, info, **kwargs)
        return value

    return resolve


def _relation_resolver(relation, original):
    def resolve(source, info, **kwargs):
        value = relation.get_cached_value(source, _NOT_LOADED)
        if value is _NOT_LOADED:
            return original(source, info, **kwargs)
        return value

    return resolve


def _fast_resolver(model: type[Model], field: StrawberryDjangoField, original):
    if (
        field.base_resolver is not None
        or field.permission_classes
        or field.extensions
        or field.directives
    ):
        return None
    name = field.django_name or field.python_name
    descriptor = model.__dict__.get(name)
    # Exact classes: subclasses (FileField's descriptor, reverse one-to-one) wrap the value.
    if type(descriptor) is DeferredAttribute:
        return _column_resolver(descriptor.field.attname, original)
    if type(descriptor) is ForwardManyToOneDescriptor:
        return _relation_resolver(descriptor.field, original)
    return None


def resolve_plain_fields_directly(schema: Schema) -> list[str]:
    """Swap in direct resolvers for every eligible field of the schema's model types.

    Returns the `Type.field` names it changed, so that a test can pin the hot ones.
    """
    changed = []
    for definition in schema.schema_converter.type_map.values():
        strawberry_type = definition.definition
        graphql_type = definition.implementation
        django_definition = get_django_definition(getattr(strawberry_type, "origin", None))
        if django_definition is None or not isinstance(graphql_type, GraphQLObjectType):
            continue
        model = django_definition.model
        for field in strawberry_type.fields:
            if not isinstance(field, StrawberryDjangoField):
                continue
            graphql_name = schema.config.name_converter.get_graphql_name(field)
            graphql_field = graphql_type.fields[graphql_name]
            fast = _fast_resolver(model, field, graphql_field.resolve)
            if fast is not None:
                graphql_field.resolve = fast
                changed.append(f"{graphql_type.name}.{graphql_name}")
    return sorted(changed)
