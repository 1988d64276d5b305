from typing import Annotated

import strawberry

from backend.jobs import exports, ingestion, services
from backend.platform.errors import field_error
from schema.core import mutation, payload, user_of
from schema.jobs.inputs import JobInput
from schema.jobs.types import JobType
from schema.tasks.inputs import TaskFilter, TaskInput, task_criteria


def _record(task: TaskInput) -> dict:
    """A TaskInput as the import stores it: the REST record's plain JSON."""
    return {
        "title": task.title,
        "description": task.description,
        "status": task.status.value,
        "priority": task.priority.value,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "project_id": task.project_id,
        "assignee_id": task.assignee_id,
    }


@strawberry.type
class JobMutations:
    @mutation(
        description="Queue a `process` job; follow it with `job(id)` or the `jobProgress` "
        "subscription. UNAUTHENTICATED without a token. Refused (OperationInfo, BAD_USER_INPUT on "
        "`title`) with `blank` or `max_length`."
    )
    def submit_job(
        self,
        info: strawberry.Info,
        input: Annotated[JobInput, strawberry.argument(description="The job.")],
    ) -> payload("SubmitJobPayload", JobType, "The job queued, PENDING"):
        return services.submit_job(
            actor=user_of(info), title=input.title, description=input.description
        )

    @mutation(
        description="Queue a CSV export of the tasks you see that match `filters` (as in "
        "`tasks`), in id order; once it is COMPLETED, its `result.download_url` serves the "
        "file to you alone. UNAUTHENTICATED without a token. Refused (OperationInfo, "
        "BAD_USER_INPUT on `filters`) with `invalid_id` when a project or assignee id is not one."
    )
    def export_tasks(
        self,
        info: strawberry.Info,
        filters: Annotated[
            TaskFilter | None,
            strawberry.argument(description="Which tasks; all you see when omitted."),
        ] = None,
    ) -> payload("ExportTasksPayload", JobType, "The export job queued, PENDING"):
        criteria = task_criteria(info, filters)
        if criteria is None:
            raise field_error(
                "filters", "A project or assignee id is not a valid id.", "invalid_id"
            )
        return exports.request_export(actor=user_of(info), criteria=criteria)

    @mutation(
        description="Queue an `ingest` job creating up to 1,000 tasks, each checked as "
        "createTask would; the job's `result` counts them (`total`, `imported`, `failed`) and "
        "lists why records were refused (`errors`: index, field, message, code). "
        "UNAUTHENTICATED without a token. Refused (OperationInfo) with PAYLOAD_TOO_LARGE "
        "`too_many_records` on `records` (over 1,000), BAD_USER_INPUT `required` (none) on "
        "`records` or `too_long` on `idempotencyKey`."
    )
    def import_tasks(
        self,
        info: strawberry.Info,
        records: Annotated[
            list[TaskInput],
            strawberry.argument(description="The tasks to create, 1 to 1,000, as `createTask`'s."),
        ],
        idempotency_key: Annotated[
            str | None,
            strawberry.argument(
                description="Your name for this request: sending it again returns the same "
                "job and imports nothing twice."
            ),
        ] = None,
    ) -> payload("ImportTasksPayload", JobType, "The import job, PENDING when new"):
        job, _ = ingestion.submit_ingestion(
            actor=user_of(info),
            records=[_record(task) for task in records],
            idempotency_key=idempotency_key or "",
        )
        return job
