"""What every Stride model shares."""

import functools

from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Descriptors that store an assigned value in the instance's __dict__ and do nothing else when
# the instance is new (the foreign key's only clears a cached related object, of which a new
# instance has none).
_STORING_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


class LoadedWithoutInit:
    """Model mixin: a row read from the database becomes an instance without `Model.__init__`.

    A page of 50 tasks with project and assignee is 150 instances; `Model.__init__` (signals,
    a loop over every field through `setattr`, keyword handling) was the largest single cost of
    an uncached list request after the SQL itself (bench/api.py). Django documents `from_db` as
    the hook for this. The instance is the one `__init__` would build: the loaded values in its
    `__dict__` under their attribute names (deferred ones absent), and a `_state` that says
    "from database `db`, not new". When `pre_init`/`post_init` have receivers for the model, or
    a field's descriptor does more than store the value, Django's own path is taken.
    """

    @classmethod
    def from_db(cls, db, field_names, values):
        if not _stores_plainly(cls) or pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        instance = cls.__new__(cls)
        instance._state = state = ModelState()
        state.adding = False
        state.db = db
        instance.__dict__.update(zip(field_names, values, strict=True))
        return instance


@functools.cache
def _stores_plainly(model) -> bool:
    return all(
        type(getattr(model, field.attname, None)) in _STORING_DESCRIPTORS
        for field in model._meta.concrete_fields
    )
