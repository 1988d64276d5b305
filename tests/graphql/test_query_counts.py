"""List queries cost a constant number of SQL queries, whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.projects.services import add_project_member, create_project
from backend.tasks.services import add_comment, create_task
from tests.conftest import operation

# taskConnection.graphql leaves comments out; an infinite-scroll client may want them too.
TASK_CONNECTION_WITH_COMMENTS = """
query ($first: Int, $after: String) {
  taskConnection(first: $first, after: $after) {
    edges {
      node {
        id title commentCount
        assignee { id username }
        project { id name members { id username } }
        comments { id content author { id username } }
      }
    }
  }
}
"""


@pytest.fixture
def fifty_tasks(alice, bob, mallory, project):
    """50 tasks in Alice's project, each assigned and commented on by two people."""
    add_project_member(actor=alice, project_id=project.id, user_id=mallory.id)
    for number in range(50):
        task = create_task(
            actor=alice,
            title=f"Task {number}",
            project_id=project.id,
            assignee_id=(bob if number % 2 else mallory).id,
        )
        add_comment(actor=bob, task_id=task.id, content="First")
        add_comment(actor=mallory, task_id=task.id, content="Second")


def queries_for(client, document, variables) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.data(document, variables)
    return len(captured.captured_queries)


def test_tasks_page_costs_the_same_queries_for_5_and_50_tasks(as_alice, fifty_tasks):
    """The user; the count: the user's projects, then three index-only counts
    (`count_visible_to`); the page (project, assignee, comment count joined), its comments."""
    small = queries_for(as_alice, operation("tasks"), {"pagination": {"limit": 5}})
    large = queries_for(as_alice, operation("tasks"), {"pagination": {"limit": 50}})
    assert small == large == 7


def test_task_results_carry_assignee_project_and_comments(as_alice, fifty_tasks):
    page = as_alice.run("tasks", pagination={"limit": 50})
    assert len(page["results"]) == 50
    for result in page["results"]:
        assert result["project"]["name"] == "Launch"
        assert result["assignee"]["username"] in {"bob", "mallory"}
        assert result["commentCount"] == 2
        assert [comment["author"]["username"] for comment in result["comments"]] == [
            "bob",
            "mallory",
        ]


def test_task_connection_costs_the_same_queries_for_5_and_50_tasks(as_alice, fifty_tasks):
    """The user, the page (project, assignee, comment count joined), comments, members."""
    small = queries_for(as_alice, TASK_CONNECTION_WITH_COMMENTS, {"first": 5})
    large = queries_for(as_alice, TASK_CONNECTION_WITH_COMMENTS, {"first": 50})
    assert small == large == 4


def test_task_connection_sample_costs_the_same_queries_for_5_and_50_tasks(as_alice, fifty_tasks):
    """The sample document: the user and one query for the page with everything joined."""
    small = queries_for(as_alice, operation("taskConnection"), {"first": 5})
    large = queries_for(as_alice, operation("taskConnection"), {"first": 50})
    assert small == large == 2


def test_projects_with_members_cost_the_same_queries_for_2_and_20_projects(
    as_alice, alice, bob, mallory
):
    """The user, COUNT(*), the page with owners joined, and the members of the page."""
    for number in range(20):
        project = create_project(actor=alice, name=f"Project {number}")
        add_project_member(actor=alice, project_id=project.id, user_id=bob.id)
        add_project_member(actor=alice, project_id=project.id, user_id=mallory.id)
    small = queries_for(as_alice, operation("projects"), {"pagination": {"limit": 2}})
    large = queries_for(as_alice, operation("projects"), {"pagination": {"limit": 20}})
    assert small == large == 4
