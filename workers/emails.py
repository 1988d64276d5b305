from backend.jobs.emails import send_assignment_email
from workers.celery import app


@app.task(name="stride.emails.task_assigned")
def send_task_assigned_email(*, task_id: int, assignee_id: int, actor_id: int | None, version: int):
    """E-mail the assignee; enqueued after an assignment commits."""
    send_assignment_email(
        task_id=task_id, assignee_id=assignee_id, actor_id=actor_id, version=version
    )
