"""Generated requests against every REST operation (schemathesis over /api/schema/) and every
GraphQL field (schemathesis over the GraphQL schema): no answer may be a 5xx or hold internal
text. Issue 14's run found an HTTP 500 and PostgreSQL's messages. Bounded: a few examples per
operation, well under a minute in all; `FUZZ_EXAMPLES` asks for more (with `--timeout 0`).
"""

import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

from tests.conftest import bearer_headers, make_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
INTERNALS = ("Traceback", "psycopg", "PostgreSQL", "DETAIL:", "codec can't", "SELECT ", "INSERT ")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def assert_no_server_error(case, response):
    assert response.status_code < 500, (case.method, case.path, case.body, response.text[:500])
    # Generated input holds such words too ("SELECT 1" as a first name), and answers echo it.
    sent = repr((case.formatted_path, case.query, case.body))
    for word in INTERNALS:
        if word not in sent:
            assert word not in response.text, (case.method, case.path, response.text[:500])


def fuzz(schema, headers):
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            assert_no_server_error(case, case.call(headers=headers))

        run()


# Called as a WSGI application (not through Django's test client), each request ends by closing
# its database connection: the tests cannot run inside one transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(settings):
    # One client sends every request: no rate limit may turn the run into 429s.
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return bearer_headers(make_user("fuzzer", is_staff=True))


def test_rest_operations_never_fail_on_generated_input(signed_in):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    fuzz(schema, signed_in)


def test_graphql_operations_never_fail_on_generated_input(signed_in):
    schema = schemathesis.graphql.from_wsgi("/graphql/", get_wsgi_application())
    fuzz(schema, signed_in)
