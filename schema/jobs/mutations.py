import strawberry

from backend.jobs import exports, services
from backend.platform.errors import field_error
from schema.core import mutation, user_of
from schema.jobs.inputs import JobInput
from schema.jobs.types import JobType
from schema.tasks.inputs import TaskFilter, task_criteria


@strawberry.type
class JobMutations:
    @mutation()
    def submit_job(self, info: strawberry.Info, input: JobInput) -> JobType:
        """Queue a `process` job; follow it with `job(id)` or the `jobProgress` subscription."""
        return services.submit_job(
            actor=user_of(info), title=input.title, description=input.description
        )

    @mutation()
    def export_tasks(self, info: strawberry.Info, filters: TaskFilter | None = None) -> JobType:
        """Queue a CSV export of the tasks you see that match `filters` (as in `tasks`), in id
        order; once it is COMPLETED, its `result.download_url` serves the file to you alone."""
        criteria = task_criteria(info, filters)
        if criteria is None:
            raise field_error(
                "filters", "A project or assignee id is not a valid id.", "invalid_id"
            )
        return exports.request_export(actor=user_of(info), criteria=criteria)
