"""The versions cached answers depend on: one name per thing a write can change (what each
domain event bumps: backend/caching/invalidation.py)."""

# Every answer depends on it: bumped by changes too rare and too wide to track (a profile, a
# deleted project).
EVERYTHING = "everything"
STAFF_LISTS = "lists:staff"


def user_lists(user_id: int) -> str:
    """Lists, counts and stats a (non-staff) user sees."""
    return f"lists:user:{user_id}"


def user_access(user_id: int) -> str:
    """What a user may see at all: their project memberships (bumped whenever they change)."""
    return f"access:user:{user_id}"


def user_version(user_id: int) -> str:
    """The user's own row: name, flags, whether the account is active."""
    return f"user:{user_id}"


def task_version(task_id: int) -> str:
    return f"task:{task_id}"


def project_lists(project_id: int) -> str:
    """Lists of the project's members: a change to one of its tasks is one bump, not one per
    member."""
    return f"lists:project:{project_id}"


def list_versions(user, project_ids) -> list[str]:
    """What every list answer for this user depends on: their own row, their own tasks, and
    each of their projects' (`project_ids`) tasks."""
    if user.is_staff:
        return [EVERYTHING, user_version(user.id), STAFF_LISTS]
    return [
        EVERYTHING,
        user_version(user.id),
        user_lists(user.id),
        *(project_lists(project_id) for project_id in project_ids),
    ]


def task_detail_versions(user, task_id: int) -> list[str]:
    """A task as the user sees it: the task itself and what it shows of its project."""
    # Staff see projects they are no member of, whose changes bump only the staff lists.
    viewer = STAFF_LISTS if user.is_staff else user_access(user.id)
    return [EVERYTHING, user_version(user.id), viewer, task_version(task_id)]
