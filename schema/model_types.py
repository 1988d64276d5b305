"""Model types whose plain attributes resolve the way Strawberry resolves a plain field.

strawberry-django runs every field through a resolver of its own, which builds an `Info`,
checks permissions and runs field extensions even for a column that only needs reading
(`Task.title`). Strawberry skips that work for a "basic" field (`StrawberryField.is_basic_field`:
no resolver, no extensions), and strawberry-django only marks its fields otherwise to keep
its resolver; `ModelAttributeField` lets a column or forward relation be basic. Its value is
still read through strawberry-django's `get_result`, which loads an attribute the optimizer
did not (a deferred column, an unjoined relation), in a thread when run from an event loop.
"""

import strawberry_django
from strawberry_django.fields.field import StrawberryDjangoField


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


def model_type(model, **kwargs):
    """`strawberry_django.type(model, ...)` with `ModelAttributeField` fields."""
    return strawberry_django.type(model, field_cls=ModelAttributeField, **kwargs)
