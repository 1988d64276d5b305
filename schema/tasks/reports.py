"""taskReport and requestReport: counts over the tasks you see, now or as a background job."""

from datetime import datetime
from typing import Annotated

import strawberry
from django.core.exceptions import ValidationError
from graphql import GraphQLError

from backend.jobs import reports as report_jobs
from backend.platform.errors import ErrorCode
from backend.tasks import reports
from backend.tasks.models import TaskPriority, TaskStatus
from schema import response_cache
from schema.core import mutation, payload, user_of
from schema.jobs.types import JobType
from schema.permissions import IsAuthenticated
from schema.tasks.inputs import TaskFilter, task_criteria
from schema.tasks.types import TaskPriorityEnum, TaskStatusEnum

Filters = Annotated[
    TaskFilter | None, strawberry.argument(description="Which tasks; all you see when omitted.")
]
TopProjects = Annotated[
    int | None,
    strawberry.argument(
        description=(
            "How many projects `byProject` lists, the largest first (1 to "
            f"{reports.MAX_TOP_PROJECTS}; the server's REPORT_TOP_PROJECTS when left out)."
        )
    ),
]


@strawberry.type(name="StatusCount", description="How many tasks of a report are in one status.")
class StatusCountType:
    status: TaskStatusEnum = strawberry.field(description="The status.")
    count: int = strawberry.field(description="Tasks in this status.")


@strawberry.type(name="PriorityCount", description="How many tasks of a report have one priority.")
class PriorityCountType:
    priority: TaskPriorityEnum = strawberry.field(description="The priority.")
    count: int = strawberry.field(description="Tasks with this priority.")


@strawberry.type(name="ProjectTaskCount", description="One project's share of a report.")
class ProjectTaskCountType:
    project_id: strawberry.ID = strawberry.field(description="The project's id.")
    name: str = strawberry.field(description="The project's name.")
    count: int = strawberry.field(description="Its tasks in the report.")
    completed: int = strawberry.field(description="Of those, completed.")
    overdue: int = strawberry.field(description="Of those, open and past their due date.")


@strawberry.type(
    name="TaskReport", description="Counts over every task you see that matches the filters."
)
class TaskReportType:
    total: int = strawberry.field(description="Every task in the report.")
    completed: int = strawberry.field(description="Tasks in status COMPLETED.")
    pending: int = strawberry.field(description="Tasks in status PENDING.")
    in_progress: int = strawberry.field(description="Tasks in status IN_PROGRESS.")
    overdue: int = strawberry.field(description="Open tasks whose due date has passed.")
    personal: int = strawberry.field(description="Tasks in no project.")
    by_status: list[StatusCountType] = strawberry.field(description="Every status, in order.")
    by_priority: list[PriorityCountType] = strawberry.field(
        description="Every priority, least to most urgent."
    )
    by_project: list[ProjectTaskCountType] = strawberry.field(
        description="The projects with the most tasks in the report, the largest first."
    )
    computed_at: datetime = strawberry.field(
        description="When the counts were taken (a cached report may be older than the request)."
    )

    @classmethod
    def of(cls, report: reports.TaskReport) -> "TaskReportType":
        return cls(
            total=report.total,
            completed=report.completed,
            pending=report.pending,
            in_progress=report.in_progress,
            overdue=report.overdue,
            personal=report.personal,
            by_status=[
                StatusCountType(status=TaskStatus(status), count=count)
                for status, count in report.by_status.items()
            ],
            by_priority=[
                PriorityCountType(priority=TaskPriority(priority), count=count)
                for priority, count in report.by_priority.items()
            ],
            by_project=[
                ProjectTaskCountType(
                    project_id=strawberry.ID(str(project.project_id)),
                    name=project.name,
                    count=project.count,
                    completed=project.completed,
                    overdue=project.overdue,
                )
                for project in report.by_project
            ],
            computed_at=report.computed_at,
        )


def _top_projects(value: int | None) -> int:
    try:
        return reports.top_projects_or_default(value)
    except ValidationError as error:
        (message,) = error.message_dict["top_projects"]
        raise GraphQLError(f"topProjects: {message}", extensions={"code": ErrorCode.BAD_USER_INPUT})


@strawberry.type
class ReportQueries:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Counts over the tasks you see that match the filters (the `tasks` "
        "filters): by status, priority and project, and how many are overdue. UNAUTHENTICATED "
        "without a token; BAD_USER_INPUT for a `topProjects` out of bounds.",
    )
    def task_report(
        self,
        info: strawberry.Info,
        filters: Filters = None,
        top_projects: TopProjects = None,
    ) -> TaskReportType:
        top, criteria = _top_projects(top_projects), task_criteria(info, filters)
        if criteria is None:
            return TaskReportType.of(reports.empty_report())
        report, _ = reports.task_report(user=user_of(info), top_projects=top, **criteria)
        policy = response_cache.policy_of(info.context.request)
        if policy is not None and report.next_due is not None:
            # A cached response must not outlive `overdue`.
            policy.expire_no_later_than(report.next_due)
        return TaskReportType.of(report)


@strawberry.type
class ReportMutations:
    @mutation(
        description="Compute `taskReport` in the background, as a `report` job: follow it "
        "with `jobProgress`; its `result` holds the report, and a REPORT_READY notification "
        "arrives when it is done. UNAUTHENTICATED without a token. Refused (OperationInfo, "
        "BAD_USER_INPUT) with `invalid_id` on `filters` when a project or assignee id is not one, "
        "`invalid_top_projects` on `topProjects`."
    )
    def request_report(
        self,
        info: strawberry.Info,
        filters: Filters = None,
        top_projects: TopProjects = None,
    ) -> payload("RequestReportPayload", JobType, "The report job queued, PENDING"):
        criteria = task_criteria(info, filters)
        if criteria is None:
            raise ValidationError({"filters": ValidationError("No such id.", code="invalid_id")})
        return report_jobs.request_report(
            actor=user_of(info), criteria=criteria, top_projects=top_projects
        )
