import json
from pathlib import Path

import pytest
from django.test import Client

from backend.accounts.models import User
from backend.accounts.services import tokens_for
from backend.projects.services import add_project_member, create_project
from backend.tasks.services import create_task

OPERATIONS = Path(__file__).resolve().parent.parent / "graphql-queries"
GRAPHQL_URL = "/graphql/"


def operation(name: str) -> str:
    """A document from graphql-queries/, so the samples there are exercised and cannot rot."""
    return (OPERATIONS / f"{name}.graphql").read_text()


def bearer_headers(user) -> dict:
    """The Authorization header a signed-in client sends; none for an anonymous one."""
    if user is None:
        return {}
    return {"Authorization": f"Bearer {tokens_for(user).access_token}"}


class GraphQLClient:
    """Posts GraphQL documents over HTTP the way a client does, optionally with a token."""

    def __init__(self, user=None):
        self.http = Client()
        self.user = user
        self.headers = bearer_headers(user)

    def post(self, query, variables=None, **headers):
        body = {"query": query, "variables": variables or {}}
        return self.http.post(
            GRAPHQL_URL,
            json.dumps(body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def execute(self, query, variables=None):
        """The full JSON answer (data and errors) of a request that reached the schema."""
        response = self.post(query, variables)
        assert response.status_code == 200, response.content
        return response.json()

    def data(self, query, variables=None):
        """The `data` of a request that must succeed without any error."""
        answer = self.execute(query, variables)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def run(self, name, **variables):
        """Run a named operation from graphql-queries/ and return its root field's value."""
        data = self.data(operation(name), variables)
        (value,) = data.values()
        return value


def make_user(username, **extra):
    return User.objects.create_user(
        username=username, email=f"{username}@example.com", password="pw-for-tests-1", **extra
    )


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def mallory(db):
    """Someone with no business in anyone else's project."""
    return make_user("mallory")


@pytest.fixture
def staff(db):
    return make_user("staff", is_staff=True)


@pytest.fixture
def as_alice(alice):
    return GraphQLClient(alice)


@pytest.fixture
def as_bob(bob):
    return GraphQLClient(bob)


@pytest.fixture
def as_mallory(mallory):
    return GraphQLClient(mallory)


@pytest.fixture
def anonymous(db):
    return GraphQLClient()


@pytest.fixture
def project(alice, bob):
    """Alice's project, with Bob as a member."""
    project = create_project(actor=alice, name="Launch")
    add_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    return project


@pytest.fixture
def task(alice, project):
    return create_task(actor=alice, title="Write the announcement", project_id=project.id)
