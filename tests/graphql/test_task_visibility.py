"""Who sees which task, through every GraphQL door: a task one may not see does not exist."""

from backend.projects.services import remove_project_member
from backend.tasks.services import create_task
from tests.conftest import operation
from tests.graphql.support import assert_not_found


def visible_titles(client) -> set[str]:
    return {result["title"] for result in client.run("tasks")["results"]}


def connection_titles(client) -> set[str]:
    edges = client.run("taskConnection")["edges"]
    return {edge["node"]["title"] for edge in edges}


def test_outsider_sees_no_task_of_a_project(as_mallory, task):
    assert as_mallory.run("task", id=str(task.id)) is None
    assert as_mallory.run("tasks")["totalCount"] == 0
    assert connection_titles(as_mallory) == set()


def test_outsider_cannot_change_delete_assign_or_comment_a_task(as_mallory, task, mallory):
    task_id = str(task.id)
    assert_not_found(
        as_mallory.run("updateTask", input={"id": task_id, "version": 1, "title": "Mine"})
    )
    assert_not_found(as_mallory.run("deleteTask", id=task_id))
    assert_not_found(as_mallory.run("assignTask", taskId=task_id, assigneeId=str(mallory.id)))
    assert_not_found(as_mallory.run("addComment", taskId=task_id, content="Hi"))
    task.refresh_from_db()
    assert (task.title, task.version, task.assignee_id) == ("Write the announcement", 1, None)


def test_not_found_is_the_same_for_a_hidden_task_and_a_missing_one(as_mallory, task):
    hidden = as_mallory.run("updateTask", input={"id": str(task.id), "version": 1, "title": "X"})
    missing = as_mallory.run("updateTask", input={"id": "424242", "version": 1, "title": "X"})
    assert hidden == missing


def test_personal_task_is_seen_by_its_creator_only(as_alice, as_bob, alice):
    personal = create_task(actor=alice, title="Diary")
    assert visible_titles(as_alice) == {"Diary"}
    assert as_bob.run("task", id=str(personal.id)) is None
    assert visible_titles(as_bob) == set()


def test_an_assignee_who_left_the_project_still_sees_the_task(as_bob, alice, bob, project):
    create_task(actor=alice, title="Favour", project_id=project.id, assignee_id=bob.id)
    remove_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    assert visible_titles(as_bob) == {"Favour"}


def test_project_member_sees_every_task_of_the_project(as_bob, alice, project, task):
    create_task(actor=alice, title="Second", project_id=project.id)
    assert visible_titles(as_bob) == {"Write the announcement", "Second"}
    assert connection_titles(as_bob) == {"Write the announcement", "Second"}


def test_removed_member_no_longer_sees_or_changes_the_projects_tasks(
    as_bob, alice, bob, project, task
):
    remove_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    assert as_bob.run("task", id=str(task.id)) is None
    assert visible_titles(as_bob) == set()
    assert_not_found(as_bob.run("addComment", taskId=str(task.id), content="Still here?"))


def test_removed_member_keeps_the_tasks_they_created(as_bob, alice, bob, project):
    create_task(actor=bob, title="Bob's", project_id=project.id)
    remove_project_member(actor=alice, project_id=project.id, user_id=bob.id)
    assert visible_titles(as_bob) == {"Bob's"}


def test_staff_see_every_task(as_staff, alice, mallory, task):
    create_task(actor=mallory, title="Mallory's diary")
    assert visible_titles(as_staff) == {"Write the announcement", "Mallory's diary"}
    assert as_staff.run("task", id=str(task.id))["title"] == "Write the announcement"


def test_task_seen_through_two_rules_is_listed_once(as_alice, alice, project):
    """Alice created it, is assigned to it and owns its project: still one row."""
    create_task(actor=alice, title="Mine thrice", project_id=project.id, assignee_id=alice.id)
    page = as_alice.run("tasks")
    assert page["totalCount"] == 1
    assert len(page["results"]) == 1
    assert len(as_alice.run("taskConnection")["edges"]) == 1


def test_task_of_a_foreign_project_is_not_found_by_filtering_on_that_project(
    as_mallory, project, task
):
    page = as_mallory.run("tasks", filters={"project": str(project.id)})
    assert page["totalCount"] == 0


def test_anonymous_cannot_read_a_task(anonymous, task):
    answer = anonymous.execute(operation("task"), {"id": str(task.id)})
    assert answer["data"] == {"task": None}
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
