"""The sample operations in graphql-queries/ stay valid and exercised, so they cannot rot."""

import re
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from schema import schema
from tests.conftest import OPERATIONS

TESTS = Path(__file__).resolve().parents[1]
SAMPLES = sorted(path.stem for path in OPERATIONS.glob("*.graphql") if path.stem != "schema")
# How tests name a sample, with the name as a string literal: operation(name),
# client.run(name, ...), and the realtime tests' socket.subscribe(operation_id, name, ...).
USE = re.compile(
    r"""(?:\boperation|\.run)\(\s*["'](\w+)["']"""
    r"""|\.subscribe\(\s*["'][^"']*["']\s*,\s*["'](\w+)["']"""
)


def used_samples() -> set[str]:
    return {
        name
        for source in TESTS.rglob("*.py")
        for match in USE.finditer(source.read_text(encoding="utf-8"))
        for name in match.groups()
        if name
    }


# graphql-core's schema, built from the SDL Strawberry prints (its public view of the schema).
GRAPHQL_SCHEMA = build_schema(schema.as_str())


def test_every_sample_operation_is_used_by_a_test():
    unused = set(SAMPLES) - used_samples()
    assert not unused, f"graphql-queries/ samples no test runs: {sorted(unused)}"


def test_tests_use_only_samples_that_exist():
    missing = used_samples() - set(SAMPLES)
    assert not missing, f"tests name samples that graphql-queries/ lacks: {sorted(missing)}"


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_operation_is_valid_against_the_schema(name):
    document = parse((OPERATIONS / f"{name}.graphql").read_text())
    assert validate(GRAPHQL_SCHEMA, document) == []
    (definition,) = document.definitions
    assert definition.name.value == name, "a sample is named after its file"
