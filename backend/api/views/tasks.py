"""Tasks (the list, filtered and paginated; one task, cached), comments, stats and the report,
staff list."""

import re

from django.urls import reverse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response

from backend.api.errors import PreconditionFailed
from backend.api.filters import TaskFilterSet, export_criteria
from backend.api.pagination import Page, PageNumbers, cached_page
from backend.api.serializers import (
    CommentSerializer,
    CommentWriteSerializer,
    JobEnvelopeSerializer,
    JobSerializer,
    MessageSerializer,
    StatsSerializer,
    TaskDetailSerializer,
    TaskEnvelopeSerializer,
    TaskReportResponseSerializer,
    TaskReportSerializer,
    TaskSerializer,
    TaskWriteSerializer,
)
from backend.api.views import object_id
from backend.caching import store
from backend.jobs import exports
from backend.jobs import reports as report_jobs
from backend.platform.errors import ConflictError
from backend.tasks import reports, selectors, services

TOP_PROJECTS = OpenApiParameter(
    "top_projects",
    int,
    description=f"How many projects `by_project` lists (1 to {reports.MAX_TOP_PROJECTS}).",
)

# A task's ETag is its version: it changes with every change, whoever makes it.
ETAG = re.compile(r'\s*(?:W/)?"v(\d+)"\s*')
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description='The ETag you read (`"v3"`): the change is refused with 412 if the task has '
    "changed since. An alternative to the `version` field.",
)


def _fresh(request, task_id) -> tuple[dict, str]:
    """A task as just written, read back the way every reader sees it, and its ETag."""
    task, _ = selectors.task_detail(user=request.user, task_id=task_id)
    return TaskSerializer(task).data, _etag(task)


def _etag(task) -> str:
    return f'"v{task.version}"'


def _if_match_version(request, body_version: int | None) -> int | None:
    """The version an `If-Match` header requires, or None when there is no such header."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = ETAG.fullmatch(header)
    if match is None:
        raise PreconditionFailed("If-Match must be one ETag of this task, as a read sent it.")
    version = int(match.group(1))
    if body_version is not None and body_version != version:
        raise PreconditionFailed("If-Match and `version` name different versions.")
    return version


def _with_precondition(request, change, *, version: int | None = None):
    """Run `change(version)`: a version from If-Match that is stale is a 412, one from the body
    a 409 (the client asked in two different ways, and each way has its standard answer)."""
    required = _if_match_version(request, version)
    try:
        return change(required if required is not None else version)
    except ConflictError as exc:
        if required is not None:
            raise PreconditionFailed() from exc
        raise


def _task_page(request, paginator) -> Page:
    """A page of tasks as the REST layer shows them, cached as sent (no longer than until one of
    them turns overdue: each says whether it is). A list filtered on `overdue` is not cached:
    the clock alone changes it."""
    criteria = TaskFilterSet(request.query_params).criteria()
    ordering = criteria.pop("ordering", None)
    offset, limit = paginator.window(request)

    def compute() -> Page:
        tasks = list(
            selectors.task_list(user=request.user, ordering=ordering, **criteria)
            .select_related("project", "assignee", "created_by")
            .annotate(comment_count=selectors.COMMENT_COUNT)[offset : offset + limit]
        )
        turns_at = selectors.turns_overdue_at(tasks)
        return Page(
            count=selectors.count_tasks(user=request.user, **criteria),
            results=list(TaskSerializer(tasks, many=True).data),
            timeout=_seconds_until(turns_at) if turns_at else store.LIST_TIMEOUT,
        )

    if selectors.changes_with_the_clock(criteria):
        return compute()
    key = tuple(sorted((name, str(value)) for name, value in criteria.items()))
    return cached_page(
        name="rest:tasks", request=request, params=(offset, limit, ordering, key), compute=compute
    )


def _seconds_until(moment) -> int:
    # Rounded down, as Redis counts whole seconds: a page expires before a task on it turns
    # overdue, never after (under a second left, it is not cached at all).
    return max(0, min(store.LIST_TIMEOUT, int((moment - timezone.now()).total_seconds())))


@extend_schema_view(list=extend_schema(summary="Tasks you may see, filtered and paginated"))
@extend_schema(tags=["tasks"])
class TaskViewSet(viewsets.GenericViewSet):
    serializer_class = TaskSerializer
    pagination_class = PageNumbers
    filter_backends = [DjangoFilterBackend]
    filterset_class = TaskFilterSet
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.task_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return TaskWriteSerializer
        if self.action == "comments" and self.request.method == "POST":
            return CommentWriteSerializer
        return TaskSerializer

    def list(self, request):
        return self.paginator.respond(_task_page(request, self.paginator))

    @extend_schema(responses={200: TaskDetailSerializer})
    def retrieve(self, request, pk):
        """One task; `cached` says whether it was served from the cache."""
        task, cached = selectors.task_detail(user=request.user, task_id=object_id(pk))
        return Response(
            {"task": TaskSerializer(task).data, "cached": cached}, headers={"ETag": _etag(task)}
        )

    @extend_schema(responses={201: TaskEnvelopeSerializer})
    def create(self, request):
        """Create a task, personal or in one of your projects, optionally assigned."""
        serializer = TaskWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        changes.pop("version", None)
        task = services.create_task(actor=request.user, **changes)
        data, etag = _fresh(request, task.id)
        return Response(
            {"task": data, "message": "Task created"}, status=201, headers={"ETag": etag}
        )

    @extend_schema(parameters=[IF_MATCH], responses={200: TaskEnvelopeSerializer})
    def update(self, request, pk, partial=False):
        """Change a task. To refuse overwriting someone else's change, send the `version` you
        read (409 when stale) or the ETag you read in `If-Match` (412 when stale)."""
        serializer = TaskWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        task = _with_precondition(
            request,
            lambda version: services.update_task(
                actor=request.user, task_id=object_id(pk), version=version, **changes
            ),
            version=changes.pop("version", None),
        )
        data, etag = _fresh(request, task.id)
        return Response({"task": data, "message": "Task updated"}, headers={"ETag": etag})

    @extend_schema(parameters=[IF_MATCH], responses={200: TaskEnvelopeSerializer})
    def partial_update(self, request, pk):
        """Change the fields sent."""
        return self.update(request, pk, partial=True)

    @extend_schema(parameters=[IF_MATCH], responses={200: MessageSerializer})
    def destroy(self, request, pk):
        """Delete a task: its creator, the project owner or staff; `If-Match` as for updates."""
        task_id = object_id(pk)
        _with_precondition(
            request,
            lambda version: services.delete_task(
                actor=request.user, task_id=task_id, version=version
            ),
        )
        return Response({"message": f"Task {task_id} deleted successfully"})

    @extend_schema(
        methods=["GET"], responses={200: CommentSerializer(many=True)}, summary="Comments"
    )
    @extend_schema(
        methods=["POST"],
        request=CommentWriteSerializer,
        responses={201: CommentSerializer},
        summary="Comment on a task",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], filterset_class=None)
    def comments(self, request, pk):
        """The task's comments, oldest first; anyone who sees the task may comment."""
        task_id = object_id(pk)
        if request.method == "POST":
            serializer = CommentWriteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            comment = services.add_comment(
                actor=request.user, task_id=task_id, **serializer.validated_data
            )
            return Response(CommentSerializer(comment).data, status=201)
        comments = selectors.comment_list(user=request.user, task_id=task_id)
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={
            202: JobEnvelopeSerializer,
            400: OpenApiResponse(description="A filter is invalid, or not one of the list's."),
        },
        summary="Export your tasks as CSV, in the background",
        filters=True,
    )
    @action(detail=False, methods=["post"], pagination_class=None)
    def export(self, request):
        """Queue an export of the tasks you see, filtered as the list is (in the query string,
        or as a JSON object whose lists stand for comma-separated values), in id order. Follow
        the job at /api/jobs/{id}/; once COMPLETED, `result.download_url` serves the file to
        you alone."""
        body = request.data
        filters = {**request.query_params.dict(), **body} if isinstance(body, dict) else body
        job = exports.request_export(actor=request.user, criteria=export_criteria(filters))
        return Response(
            {"job": JobSerializer(job).data, "message": "Export queued"},
            status=202,
            headers={
                "Location": request.build_absolute_uri(reverse("job-detail", kwargs={"pk": job.id}))
            },
        )

    @extend_schema(responses={200: StatsSerializer}, filters=False)
    @action(detail=False, pagination_class=None, filter_backends=[], filterset_class=None)
    def stats(self, request):
        """How many of the tasks you see are in each status (the report's `by_status`)."""
        report, _ = reports.task_report(user=request.user)
        stats = [{"status": status, "count": count} for status, count in report.by_status.items()]
        return Response({"stats": stats, "total": report.total})

    @extend_schema(
        methods=["GET"],
        summary="Report over the tasks you see",
        parameters=[TOP_PROJECTS],
        responses={200: TaskReportResponseSerializer},
    )
    @extend_schema(
        methods=["POST"],
        summary="Compute the report in the background (a `report` job)",
        request=None,
        parameters=[TOP_PROJECTS],
        responses={202: JobEnvelopeSerializer},
    )
    @action(detail=False, methods=["get", "post"], pagination_class=None)
    def report(self, request):
        """Counts over the tasks you see that match the list's filters: by status, priority
        and project, and how many are overdue. POST queues the same report as a job (filters
        in the query string or a JSON object, as for exports): follow it at /api/jobs/{id}/;
        its result holds the report, and a `report_ready` notification says when it is done."""
        top_projects = _top_projects(request)
        if request.method == "POST":
            body = request.data
            filters = {**request.query_params.dict(), **body} if isinstance(body, dict) else body
            if isinstance(filters, dict):
                filters.pop("top_projects", None)
            job = report_jobs.request_report(
                actor=request.user, criteria=export_criteria(filters), top_projects=top_projects
            )
            return Response(
                {"job": JobSerializer(job).data, "message": "Report queued"},
                status=202,
                headers={
                    "Location": request.build_absolute_uri(
                        reverse("job-detail", kwargs={"pk": job.id})
                    )
                },
            )
        criteria = TaskFilterSet(request.query_params).criteria()
        criteria.pop("ordering", None)
        report, cached = reports.task_report(
            user=request.user, top_projects=top_projects, **criteria
        )
        return Response({"report": TaskReportSerializer(report).data, "cached": cached})


def _top_projects(request) -> int | None:
    raw = request.query_params.get("top_projects")
    if raw is None:
        return None
    if not raw.isdigit():
        raise ValidationError(
            {"top_projects": [f"A whole number from 1 to {reports.MAX_TOP_PROJECTS}."]}
        )
    return int(raw)


class AdminTaskListView(GenericAPIView):
    """Every task, for staff: brief 002's `{"count", "tasks"}` with the task list's filters."""

    permission_classes = [IsAdminUser]
    pagination_class = PageNumbers
    filter_backends = [DjangoFilterBackend]
    filterset_class = TaskFilterSet
    serializer_class = TaskSerializer

    def get_queryset(self):
        return selectors.task_list(user=self.request.user)

    @extend_schema(
        tags=["tasks"],
        responses={
            200: inline_serializer(
                "AdminTaskList",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "tasks": TaskSerializer(many=True),
                },
            )
        },
    )
    def get(self, request):
        return self.paginator.respond(_task_page(request, self.paginator), items_key="tasks")
