"""Background jobs (brief 002): submit, list, detail, delete, and a finished export's file."""

from django.http import FileResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from backend.api.filters import JobFilterSet, export_criteria
from backend.api.pagination import PageNumbers
from backend.api.serializers import (
    JobEnvelopeSerializer,
    JobSerializer,
    JobSubmitSerializer,
    MessageSerializer,
)
from backend.api.views import object_id
from backend.jobs import exports, selectors, services
from backend.jobs.models import JobKind


class FirstRenderer(BaseContentNegotiation):
    """A file download answers with its file whatever the client accepts, and its errors as
    JSON: DRF's negotiation would refuse `Accept: text/csv` with a 406 (its documented
    "ignore the client" negotiation)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(tags=["jobs"])
@extend_schema_view(
    list=extend_schema(
        summary="Your jobs (staff: everyone's), newest first, filtered and paginated",
        responses={
            200: JobSerializer(many=True),
            404: OpenApiResponse(description="A page past the last one."),
        },
    ),
)
class JobViewSet(viewsets.GenericViewSet):
    serializer_class = JobSerializer
    pagination_class = PageNumbers
    filter_backends = [DjangoFilterBackend]
    filterset_class = JobFilterSet
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.job_list(user=self.request.user)

    def list(self, request):
        criteria = JobFilterSet(request.query_params).criteria()
        jobs = selectors.job_list(user=request.user, **criteria).select_related("owner")
        page = self.paginate_queryset(jobs)
        return self.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(
        request=JobSubmitSerializer,
        responses={201: JobEnvelopeSerializer},
        summary="Submit a job",
    )
    def create(self, request):
        """Queue a `process` job (brief 002's simulated work, the default kind) or an `export`
        of your tasks (`filters` as for GET /api/tasks/); it runs in a worker, followed here or
        with GraphQL's `jobProgress`."""
        serializer = JobSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["kind"] == JobKind.EXPORT:
            job = exports.request_export(
                actor=request.user,
                criteria=export_criteria(data.get("filters") or {}, prefix="filters."),
                title=data.get("title", ""),
            )
        else:
            job = services.submit_job(
                actor=request.user, title=data.get("title", ""), description=data["description"]
            )
        return Response(
            {"job": JobSerializer(job).data, "message": "Job created and processing started"},
            status=201,
        )

    @extend_schema(responses={200: JobEnvelopeSerializer})
    def retrieve(self, request, pk):
        """One job: its state, progress (0-100), result or error."""
        job = selectors.get_job(user=request.user, job_id=object_id(pk))
        return Response({"job": JobSerializer(job).data})

    @extend_schema(responses={200: MessageSerializer})
    def destroy(self, request, pk):
        """Delete a job (its owner or staff), with its file. A job still pending or running is
        cancelled: its worker stops at its next step and nothing more is announced."""
        job_id = object_id(pk)
        services.delete_job(actor=request.user, job_id=job_id)
        return Response({"message": f"Job {job_id} deleted successfully"})

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The CSV file, as an attachment."
            ),
            404: OpenApiResponse(
                description="No such export, not yours (staff included), or not finished.",
            ),
        },
        summary="Download a finished export",
        filters=False,
    )
    @action(
        detail=True,
        pagination_class=None,
        filter_backends=[],
        filterset_class=None,
        content_negotiation_class=FirstRenderer,
    )
    def download(self, request, pk):
        """The CSV file of a completed export, streamed; only the job's owner may fetch it."""
        job = selectors.export_file(user=request.user, job_id=object_id(pk))
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=f"tasks-{job.id}.csv",
            content_type="text/csv; charset=utf-8",
        )
