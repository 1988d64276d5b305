"""Channel-layer groups, and which of them a socket follows.

A project's events go to its group: one `group_send` however many members watch, and a socket
joins only its own projects' groups. Per-user groups carry what is personal (notifications,
membership changes, job progress) and tasks seen by a creator or assignee outside the project;
staff share one.
Membership is only routing: who may see an event is decided per recipient from the `audience`
it carries, computed after commit, so a removed member stops hearing a project at once.
"""

from bisect import bisect_left
from collections import deque

from backend.projects.models import Membership, Project

STAFF_GROUP = "staff"
NO_SUCH_PROJECT = "No such project."

TASK_CHANGED = "task.changed"
NOTIFICATION_CREATED = "notification.created"
MEMBERSHIP_CHANGED = "membership.changed"


def user_group(user_id: int) -> str:
    """Everything personal to one user (notifications, membership, their jobs' progress)."""
    return f"user.{user_id}"


def project_group(project_id: int) -> str:
    """Events on the tasks of one project, for the sockets of its members."""
    return f"project.{project_id}"


def task_groups(*, user, project_id: int | None = None) -> list[str]:
    """The groups a socket joins to hear about the tasks the user may see (in one project);
    Project.DoesNotExist when the user may not see that project."""
    if project_id is not None:
        if not Project.objects.visible_to(user).filter(id=project_id).exists():
            raise Project.DoesNotExist(NO_SUCH_PROJECT)
        return [STAFF_GROUP if user.is_staff else project_group(project_id)]
    if user.is_staff:
        return [user_group(user.id), STAFF_GROUP]
    project_ids = Membership.objects.filter(user=user).values_list("project_id", flat=True)
    return [user_group(user.id), *(project_group(pid) for pid in project_ids)]


class TaskEventFilter:
    """Decides, for one subscriber, which task events reach them and which groups to follow.

    Several groups may carry the same event to one socket while a membership changes; the few
    most recent event ids are remembered so that it is shown once.
    """

    def __init__(
        self,
        user,
        project_id: int | None = None,
        *,
        kinds: frozenset[str] | None = None,
        assignee_id: int | None = None,
    ):
        self.user = user
        self.project_id = project_id
        self.kinds = kinds
        self.assignee_id = assignee_id
        self._recent = deque(maxlen=64)

    def admits(self, message: dict) -> bool:
        if self.project_id is not None and message["project_id"] != self.project_id:
            return False
        if self.kinds is not None and message["kind"] not in self.kinds:
            return False
        if self.assignee_id is not None and message["assignee_id"] != self.assignee_id:
            return False
        if not (self.user.is_staff or _among(self.user.id, message["audience"])):
            return False
        if message["event_id"] in self._recent:
            return False
        self._recent.append(message["event_id"])
        return True

    def group_change(self, message: dict) -> tuple[bool, str] | None:
        """(join?, group) when a membership change of this user moves the socket's groups;
        staff, and a subscription to one project, follow none."""
        if self.project_id is not None or self.user.is_staff:
            return None
        if message["user_id"] != self.user.id:
            return None
        return message["member"], project_group(message["project_id"])


def _among(user_id: int, audience: list[int]) -> bool:
    """Whether `user_id` is in the sorted `audience`: every socket of a big project asks about
    every event, so a linear scan would grow with the square of the project's size."""
    position = bisect_left(audience, user_id)
    return position < len(audience) and audience[position] == user_id
