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
from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from strawberry import Schema
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.utils.typing import get_django_definition

_NOT_LOADED = object()


def _direct_resolver(read_loaded, original):
    def resolve(source, info, **kwargs):
        value = read_loaded(source)
        if value is _NOT_LOADED:
            return original(source, info, **kwargs)
        return value

    # For PlainObjectCompletion, which reads without going through graphql-core at all.
    resolve.read_loaded = read_loaded
    return resolve


def _column_resolver(attname: str, original):
    return _direct_resolver(lambda source: source.__dict__.get(attname, _NOT_LOADED), original)


def _relation_resolver(relation, original):
    return _direct_resolver(lambda source: relation.get_cached_value(source, _NOT_LOADED), original)


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
            if fast is None:
                continue
            graphql_field.resolve = fast
            changed.append(f"{graphql_type.name}.{graphql_name}")
    return sorted(changed)


class _PlainSelection:
    """How to complete one object type's selection made only of direct reads.

    Each entry: (response key, read, leaf type or None, nested selection or None, nullable).
    """

    def __init__(self, object_type: GraphQLObjectType):
        self.object_type = object_type
        self.entries = []

    def complete(self, source, info):
        """The completed dict, or _NOT_LOADED when graphql-core must do it (and report)."""
        is_type_of = self.object_type.is_type_of
        if is_type_of is not None and is_type_of(source, info) is not True:
            return _NOT_LOADED
        completed = {}
        for key, read, leaf_type, nested, nullable in self.entries:
            value = read(source)
            if value is None:
                if not nullable:
                    return _NOT_LOADED
            elif value is _NOT_LOADED:
                return _NOT_LOADED
            elif leaf_type is not None:
                try:
                    value = leaf_type.coerce_output_value(value)
                except Exception:
                    return _NOT_LOADED
                if value is None or value is Undefined:
                    return _NOT_LOADED
            else:
                value = nested.complete(value, info)
                if value is _NOT_LOADED:
                    return _NOT_LOADED
            completed[key] = value
        return completed


class PlainObjectCompletion:
    """Execution context mixin: objects whose selected fields are all direct reads (columns,
    joined relations, `__typename`) are completed in one pass, without graphql-core building
    a `GraphQLResolveInfo`, calling the middleware and completing each field one by one.

    The middleware skipped is the optimizer's `resolve` hook, which only acts on QuerySets,
    never on a column or a joined row. An object whose values are not all loaded, or that
    breaks a rule (null in a non-null field, a value a scalar refuses), goes the normal way,
    which loads or reports it as before: reads have no side effects, so nothing runs twice.
    """

    def complete_object_value(
        self, return_type, field_details_list, info, path, result, position_context
    ):
        selection = self._plain_selection(return_type, field_details_list)
        if selection is not None:
            completed = selection.complete(result, info)
            if completed is not _NOT_LOADED:
                return completed
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plain_selection(self, object_type, field_details_list) -> _PlainSelection | None:
        plans = self.__dict__.setdefault("_plain_selections", {})
        # Keyed like graphql-core's own memo: the list is kept alive so its id is not reused.
        key = (object_type.name, id(field_details_list))
        if key not in plans:
            plans[key] = (field_details_list, self._plan(object_type, field_details_list))
        return plans[key][1]

    def _plan(self, object_type, field_details_list) -> _PlainSelection | None:
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages:
            return None
        selection = _PlainSelection(object_type)
        for key, sub_field_details in grouped_field_set.items():
            node = sub_field_details[0].node
            if node.name.value == "__typename":
                selection.entries.append(
                    (
                        key,
                        lambda source, name=object_type.name: name,
                        GraphQLString,
                        None,
                        False,
                    )
                )
                continue
            field = object_type.fields.get(node.name.value)
            read = getattr(field.resolve, "read_loaded", None) if field else None
            if read is None or node.arguments:
                return None
            nullable = not isinstance(field.type, GraphQLNonNull)
            field_type = field.type if nullable else field.type.of_type
            if is_leaf_type(field_type):
                selection.entries.append((key, read, field_type, None, nullable))
            elif isinstance(field_type, GraphQLObjectType):
                nested = self._plain_selection(field_type, sub_field_details)
                if nested is None:
                    return None
                selection.entries.append((key, read, None, nested, nullable))
            else:
                return None
        return selection
