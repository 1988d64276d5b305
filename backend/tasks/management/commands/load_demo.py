"""Demo data for a first look: two users, a shared project and a few tasks."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from backend.accounts.models import User
from backend.accounts.services import register_user
from backend.projects.services import add_project_member, create_project
from backend.tasks.services import add_comment, create_task

DEMO_PASSWORD = "stride-demo-pass"


class Command(BaseCommand):
    help = "Load demo users, a project and tasks, unless the database already has users."

    def handle(self, *args, **options):
        if User.objects.exists():
            self.stdout.write("Users exist already: no demo data loaded.")
            return
        alice = register_user(
            username="alice", email="alice@example.com", password=DEMO_PASSWORD, first_name="Alice"
        )
        bob = register_user(
            username="bob", email="bob@example.com", password=DEMO_PASSWORD, first_name="Bob"
        )
        project = create_project(
            actor=alice, name="Launch", description="Everything for launch day"
        )
        add_project_member(actor=alice, project_id=project.id, user_id=bob.id)
        now = timezone.now()
        plan = [
            ("Write the announcement", "high", now + timedelta(hours=20), bob),
            ("Book the venue", "urgent", now - timedelta(days=1), alice),
            ("Order snacks", "low", now + timedelta(days=5), None),
        ]
        for title, priority, due_date, assignee in plan:
            task = create_task(
                actor=alice,
                title=title,
                priority=priority,
                due_date=due_date,
                project_id=project.id,
                assignee_id=assignee.id if assignee else None,
            )
        add_comment(actor=bob, task_id=task.id, content="Something without nuts, please.")
        create_task(actor=bob, title="Renew passport", priority="medium")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: users alice and bob, password {DEMO_PASSWORD!r}."
            )
        )
