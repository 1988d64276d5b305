"""The web pages in a real browser (Chromium) against a real Uvicorn server, and a real Celery
worker where a job runs: what a person sees and does, live updates included.

`STRIDE_SCREENSHOT=docs/home.png` makes the notification test save the screenshot the README
shows (`make screenshot`).
"""

import os
import time

import pytest
from playwright.sync_api import expect

from backend.jobs.services import submit_job
from backend.tasks.services import create_task
from tests.web.browser import (
    PHONE,
    Browsing,
    elsewhere,
    log_in,
    mark_document,
    same_document,
    serious_accessibility_violations,
    wait_until_live,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_newcomer_signs_up_and_sees_a_queued_job_finish_live(
    browser,
    queueing_server,
    start_worker,
):
    start_worker(JOB_PROCESS_SECONDS="5", EMAIL_URL="consolemail://")
    browsing = Browsing(browser, queueing_server.url)
    page = browsing.page()

    page.goto("/")
    page.get_by_role("link", name="Create an account").click()
    page.locator("#id_username").fill("carol")
    page.locator("#id_email").fill("carol@example.com")
    page.locator("#id_password").fill("correct-horse-battery")
    page.locator("#id_password2").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#username")).to_have_text("carol")
    wait_until_live(page)

    page.get_by_role("button", name="Queue job").click()
    job = page.locator("#jobs .job").first
    expect(job).to_contain_text("Process my data")
    wait_until_live(page)
    mark_document(page)
    assert job.get_attribute("data-status") in ("PENDING", "PROCESSING")

    expect(job).to_have_attribute("data-status", "COMPLETED", timeout=40_000)
    expect(job.locator("progress")).to_have_attribute("value", "100")
    expect(page.locator("#notifications")).to_contain_text("Job “Process my data” completed.")
    expect(page.locator("#unread-count")).to_have_text("1")
    assert same_document(page), "the page was reloaded instead of updated live"
    browsing.close()
    assert browsing.unexpected_errors() == []


def test_log_out_then_sign_in_again_with_the_keyboard_only(browse, alice):
    page = browse.page()
    log_in(page, "alice")
    wait_until_live(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".messages")).to_contain_text("You are logged out.")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.locator("#username")).to_have_count(0)

    # The username field has the focus; a wrong password first, typed and sent by keyboard.
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("not her password")
    page.keyboard.press("Enter")
    expect(page.locator("#id_password_error")).to_contain_text("No active account")
    expect(page.locator("#id_password")).to_have_attribute("aria-invalid", "true")

    page.keyboard.press("Tab")  # from the username, kept and focused again, to the password
    assert page.evaluate("document.activeElement.id") == "id_password"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type("pw-for-tests-1")
    page.keyboard.press("Enter")
    expect(page.locator("#username")).to_have_text("alice")
    wait_until_live(page)


def test_two_members_see_each_others_task_changes_live(browse, alice, bob, project):
    board = f"/boards/{project.id}/"
    as_alice, as_bob = browse.page(), browse.page()
    log_in(as_alice, "alice")
    log_in(as_bob, "bob")
    as_alice.goto(board)
    as_bob.goto(board)
    wait_until_live(as_alice)
    wait_until_live(as_bob)
    mark_document(as_bob)

    as_alice.get_by_label("Title").fill("Plan the party")
    as_alice.locator("#id_assignee_id").select_option(label="bob")
    as_alice.get_by_role("button", name="Create task").click()
    expect(as_alice.locator(".messages")).to_contain_text("Task “Plan the party” created.")

    pending = as_bob.locator(".column").filter(has=as_bob.locator("#column-pending"))
    card = pending.locator(".card", has_text="Plan the party")
    expect(card).to_contain_text("assigned to bob")
    assert same_document(as_bob)

    wait_until_live(as_alice)
    mark_document(as_alice)
    card.get_by_label("Status").select_option(label="In progress")
    card.get_by_role("button", name="Save").click()
    expect(as_bob.locator(".messages")).to_contain_text("Task “Plan the party” saved.")

    in_progress = as_alice.locator(".column").filter(has=as_alice.locator("#column-in_progress"))
    expect(in_progress.locator(".card", has_text="Plan the party")).to_be_visible()
    assert same_document(as_alice)


def test_notifications_arrive_while_the_home_page_is_open(browse, alice, bob, project, task):
    page = browse.page()
    log_in(page, "alice")
    wait_until_live(page)
    mark_document(page)
    expect(page.locator("#unread-count")).to_have_text("0")

    elsewhere(
        create_task,
        actor=bob,
        title="Review the slides",
        project_id=project.id,
        assignee_id=alice.id,
    )
    # Run in this process (the test settings run tasks eagerly): it finishes at once.
    elsewhere(submit_job, actor=alice, title="Crunch the numbers")

    notifications = page.locator("#notifications")
    expect(notifications).to_contain_text("bob assigned you “Review the slides”")
    expect(notifications).to_contain_text("Job “Crunch the numbers” completed.")
    expect(page.locator("#unread-count")).to_have_text("2")
    expect(page.locator("#tasks")).to_contain_text("Review the slides")
    expect(page.locator("#jobs .job").first).to_have_attribute("data-status", "COMPLETED")
    expect(page.locator("#announcer")).not_to_be_empty()
    assert same_document(page)
    if os.environ.get("STRIDE_SCREENSHOT"):
        page.screenshot(path=os.environ["STRIDE_SCREENSHOT"], full_page=True)

    page.get_by_role("button", name="Mark as read: bob assigned you").click()
    expect(page.locator("#unread-count")).to_have_text("1")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("#unread-count")).to_have_text("0")


def test_the_page_reconnects_after_a_server_restart_and_catches_up(
    browse, server, alice, bob, project
):
    browse.allow(r"WebSocket connection to .* failed")
    # A region the page was reloading when the server went away.
    browse.allow(r"Failed to load resource: net::ERR_CONNECTION_(RESET|REFUSED)")
    page = browse.page()
    log_in(page, "alice")
    wait_until_live(page)
    mark_document(page)

    server.stop()
    expect(page.locator("#live-status")).to_have_attribute("data-state", "reconnecting")
    # Made while nobody listens: the page learns of it from the inbox when it reconnects.
    elsewhere(
        create_task,
        actor=bob,
        title="Missed while away",
        project_id=project.id,
        assignee_id=alice.id,
    )
    time.sleep(1)
    server.start()

    wait_until_live(page)
    expect(page.locator("#notifications")).to_contain_text("bob assigned you “Missed while away”")
    expect(page.locator("#tasks")).to_contain_text("Missed while away")
    assert same_document(page)


def test_pages_have_no_serious_accessibility_violations(browse, alice, project, task):
    browse.allow(r"status of 404")  # the 404 page itself
    visitor = browse.page()
    found = []
    for path in ("/", "/about/", "/login/", "/signup/", "/no-such-page/"):
        visitor.goto(path)
        found += serious_accessibility_violations(visitor)
    visitor.goto("/signup/")
    visitor.get_by_role("button", name="Sign up").click()  # every field in error
    expect(visitor.locator(".errorlist").first).to_be_visible()
    found += serious_accessibility_violations(visitor)

    page = browse.page()
    log_in(page, "alice")
    for path in ("/", "/boards/", f"/boards/{project.id}/", "/about/"):
        page.goto(path)
        wait_until_live(page)
        found += serious_accessibility_violations(page)
    assert found == []


def test_pages_fit_a_phone_screen(browse, alice, project, task):
    page = browse.page(viewport=PHONE)
    log_in(page, "alice")
    for path in ("/", f"/boards/{project.id}/", "/about/"):
        page.goto(path)
        wait_until_live(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a phone"
