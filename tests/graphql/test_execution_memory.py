"""A finished query leaves nothing for the garbage collector (schema/__init__.py): every object
left in a reference cycle costs a collection later, paused requests included."""

import gc

from schema import StrideExecutionContext


def test_a_finished_query_frees_its_executor_without_a_collection(as_alice, task):
    gc.collect()
    gc.disable()
    try:
        as_alice.data("{ tasks { results { id title project { name } } } }")
        left = [obj for obj in gc.get_objects() if type(obj) is StrideExecutionContext]
    finally:
        gc.enable()
    assert left == []
