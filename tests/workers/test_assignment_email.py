"""Assigning a task e-mails the assignee, through a real worker and a real SMTP server."""

from backend.projects.services import add_project_member
from backend.tasks.services import assign_task, create_task
from tests.conftest import make_user
from tests.workers.conftest import wait_for


def test_assignment_email_reaches_the_assignee_as_text_and_html(
    start_worker, smtp_server, alice, bob, project
):
    start_worker(EMAIL_URL=smtp_server.url, SITE_URL="https://stride.example")
    task = create_task(actor=alice, title="Ship <v2> & tell", project_id=project.id)

    assign_task(actor=alice, task_id=task.id, assignee_id=bob.id)

    (message,) = wait_for(smtp_server.inbox.messages, message="the assignment e-mail")
    assert message["To"] == "bob@example.com"
    assert message["Subject"] == "[Stride] You were assigned: Ship <v2> & tell"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "alice assigned you a task" in text
    assert "Ship <v2> & tell" in text
    assert "Project:  Launch" in text
    assert "Ship &lt;v2&gt; &amp; tell" in html
    # The link opens the task on its project's board.
    link = f"https://stride.example/boards/{project.id}/#task-{task.id}"
    assert f"Open the task: {link}" in text
    assert f'href="{link}"' in html


def test_no_email_for_assignees_who_turned_it_off_nor_for_assigning_oneself(
    start_worker, smtp_server, alice, bob, project
):
    start_worker(EMAIL_URL=smtp_server.url)
    bob.email_on_assignment = False
    bob.save()
    carol = make_user("carol")
    add_project_member(actor=alice, project_id=project.id, user_id=carol.id)
    task = create_task(actor=alice, title="Quiet", assignee_id=bob.id, project_id=project.id)
    mine = create_task(actor=alice, title="Mine", assignee_id=alice.id)
    # Sent after the others, and one worker process takes one message at a time: once Carol's
    # arrives, the others were handled.
    theirs = create_task(actor=carol, title="Theirs", project_id=project.id)
    assign_task(actor=carol, task_id=theirs.id, assignee_id=alice.id)

    (message,) = wait_for(smtp_server.inbox.messages, message="the last e-mail")
    assert message["To"] == "alice@example.com"
    assert message["Subject"].endswith("Theirs")
    assert task.assignee_id == bob.id and mine.assignee_id == alice.id
