"""Where Stride leans on strawberry-django and Strawberry beyond their documented API, for speed.

Everything here is an assumption about how a dependency behaves that its documentation does not
promise; tests/graphql/test_adapters.py pins each one, so that an upgrade that breaks it fails
there first.

1. `ModelAttributeField`: strawberry-django runs every field through a resolver of its own,
   which builds an `Info`, checks permissions and runs field extensions even for a column that
   only needs reading (`Task.title`); a page of 50 tasks resolves ~650 fields. Strawberry skips
   that work for a "basic" field (`StrawberryField.is_basic_field`: no resolver, no extensions)
   and calls its `get_result` without an `Info`. The field class lets a column or a forward
   relation be basic, and reads a loaded column from the instance's `__dict__`, where Django
   keeps it; anything else (a deferred column, a relation) goes through strawberry-django's own
   `get_result`, which loads it (in a thread when run from an event loop).
2. `QuerySetOptimizer`: strawberry-django's optimizer extension is also a field middleware: it
   wraps every field's resolver to optimize a QuerySet a plain Strawberry resolver may return.
   strawberry-django's own fields optimize theirs without it, and Stride's root lists call
   `optimize` (`schema.pagination.offset_page`), so the middleware only costs time; Strawberry
   installs an extension as a middleware only when its class overrides `SchemaExtension.resolve`.
"""

import strawberry_django
from django.db.models.query_utils import DeferredAttribute
from strawberry.extensions import SchemaExtension
from strawberry_django.fields.field import StrawberryDjangoField
from strawberry_django.optimizer import DjangoOptimizerExtension


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
            column = self._column(type(source))
            if column is not None and column in source.__dict__:
                return source.__dict__[column]
        return super().get_result(source, info, args, kwargs)

    def _column(self, model) -> str | None:
        """The attribute name of the column this field reads on `model`, if it is a column."""
        columns = self.__dict__.setdefault("_columns", {})
        if model not in columns:
            descriptor = model.__dict__.get(self.django_name or self.python_name)
            # Exactly a column's descriptor: subclasses (a file field's) wrap the value.
            plain = type(descriptor) is DeferredAttribute
            columns[model] = descriptor.field.attname if plain else None
        return columns[model]


def model_type(model, **kwargs):
    """`strawberry_django.type(model, ...)` with `ModelAttributeField` fields."""
    return strawberry_django.type(model, field_cls=ModelAttributeField, **kwargs)


class QuerySetOptimizer(DjangoOptimizerExtension):
    """strawberry-django's optimizer for the QuerySets strawberry-django's own fields resolve,
    without wrapping every field's resolver."""

    resolve = SchemaExtension.resolve
