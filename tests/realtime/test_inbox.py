"""The notification inbox: who gets a row, reading it over GraphQL, marking it read."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from backend.notifications.models import Notification, NotificationKind
from backend.notifications.services import notify
from backend.realtime.groups import user_group
from tests.conftest import make_user
from tests.realtime.conftest import GraphQLSocket, run, wait_for_group


def inbox(user):
    return list(Notification.objects.filter(user=user).values_list("kind", "message"))


def test_assignee_is_told_but_not_the_actor(
    django_capture_on_commit_callbacks, alice, bob, as_alice, task
):
    with django_capture_on_commit_callbacks(execute=True):
        as_alice.run("assignTask", taskId=task.id, assigneeId=bob.id)
        as_alice.run("assignTask", taskId=task.id, assigneeId=alice.id)

    assert inbox(bob) == [("assigned", "alice assigned you “Write the announcement”")]
    assert inbox(alice) == []


def test_comment_tells_creator_and_assignee_but_not_the_author(
    django_capture_on_commit_callbacks, alice, bob, as_alice, as_bob, project
):
    carol = make_user("carol")
    as_alice.run("addProjectMember", projectId=project.id, userId=carol.id)
    created = as_alice.run(
        "createTask", input={"title": "Plan", "projectId": project.id, "assigneeId": bob.id}
    )

    with django_capture_on_commit_callbacks(execute=True):
        as_bob.run("addComment", taskId=created["id"], content="Done")

    assert inbox(alice) == [("commented", "bob commented on “Plan”")]
    assert inbox(bob) == []
    assert inbox(carol) == []
    (row,) = Notification.objects.filter(user=alice)
    assert row.task_id == int(created["id"])
    assert row.data["actor_id"] == bob.id


def test_commenting_on_your_own_unassigned_task_tells_nobody(
    django_capture_on_commit_callbacks, as_alice, task
):
    with django_capture_on_commit_callbacks(execute=True):
        as_alice.run("addComment", taskId=task.id, content="Note to self")

    assert not Notification.objects.exists()


def test_notify_shortens_a_long_message_instead_of_refusing_it(bob):
    notification = notify(user_id=bob.id, kind=NotificationKind.JOB_FINISHED, message="x" * 900)

    assert len(notification.message) == 500
    assert notification.message.endswith("…")


def test_notify_refuses_an_unknown_kind(bob):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        notify(user_id=bob.id, kind="gossip", message="Psst")
    assert "kind" in error.value.message_dict


def test_notifications_lists_only_your_own_newest_first(bob, as_bob, mallory):
    first = notify(user_id=bob.id, kind=NotificationKind.DUE_SOON, message="First")
    second = notify(user_id=bob.id, kind=NotificationKind.REPORT_READY, message="Second")
    notify(user_id=mallory.id, kind=NotificationKind.DUE_SOON, message="Not Bob's")

    page = as_bob.run("notifications")

    assert page["totalCount"] == 2
    assert [row["id"] for row in page["results"]] == [str(second.id), str(first.id)]
    assert page["results"][0]["kind"] == "REPORT_READY"
    assert page["results"][0]["isRead"] is False


def test_since_returns_what_a_reconnecting_client_missed(bob, as_bob):
    seen = notify(user_id=bob.id, kind=NotificationKind.DUE_SOON, message="Seen")
    missed = notify(user_id=bob.id, kind=NotificationKind.DUE_SOON, message="Missed")
    Notification.objects.filter(id=seen.id).update(created_at=timezone.now() - timedelta(hours=1))
    seen.refresh_from_db()

    page = as_bob.run("notifications", since=seen.created_at.isoformat())

    assert [row["id"] for row in page["results"]] == [str(missed.id)]


def test_mark_read_by_id_and_then_all(bob, as_bob, mallory):
    first = notify(user_id=bob.id, kind=NotificationKind.DUE_SOON, message="1")
    notify(user_id=bob.id, kind=NotificationKind.DUE_SOON, message="2")
    notify(user_id=bob.id, kind=NotificationKind.DUE_SOON, message="3")
    others = notify(user_id=mallory.id, kind=NotificationKind.DUE_SOON, message="Mallory's")

    marked = as_bob.run("markNotificationsRead", ids=[first.id, others.id])
    assert marked == {"marked": 1, "unreadCount": 2}
    assert as_bob.run("notifications", unreadOnly=True)["totalCount"] == 2
    assert as_bob.run("unreadNotificationCount") == 2

    assert as_bob.run("markNotificationsRead") == {"marked": 2, "unreadCount": 0}
    assert as_bob.run("notifications", unreadOnly=True)["totalCount"] == 0
    others.refresh_from_db()
    assert others.read_at is None


def test_mark_read_with_a_malformed_id_is_a_field_error(bob, as_bob):
    answer = as_bob.run("markNotificationsRead", ids=["not-an-id"])

    (message,) = answer["messages"]
    assert (message["field"], message["code"]) == ("ids", "invalid_id")


def test_inbox_needs_a_signed_in_user(anonymous):
    from tests.conftest import operation

    answer = anonymous.execute(operation("notifications"))
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    answer = anonymous.execute(operation("markNotificationsRead"))
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("pagination", [{"offset": -1}, {"limit": -1}])
def test_a_negative_page_of_the_inbox_is_refused(as_bob, pagination):
    answer = as_bob.execute(
        "query ($p: OffsetPaginationInput) { notifications(pagination: $p) { totalCount } }",
        {"p": pagination},
    )
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "must be zero or more" in error["message"]


@pytest.mark.django_db(transaction=True)
async def test_notification_arrives_live_on_the_subscription(bob, as_alice, task):
    socket = GraphQLSocket()
    await socket.open_as(bob)
    await socket.subscribe("inbox", "notificationReceived")
    await wait_for_group(user_group(bob.id))

    await run(as_alice, "assignTask", taskId=task.id, assigneeId=bob.id)

    notification = (await socket.next_data("inbox"))["notificationReceived"]
    assert notification["kind"] == "ASSIGNED"
    assert notification["taskId"] == str(task.id)
    assert notification["isRead"] is False
    stored = await database_sync_to_async(Notification.objects.get)(id=notification["id"])
    assert stored.user_id == bob.id
