import pytest
from django.core.cache import cache

from tests.conftest import GraphQLClient


@pytest.fixture
def as_staff(staff):
    return GraphQLClient(staff)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rolled-back rows must not live on in Redis (this suite's own Redis database)."""
    cache.clear()
