"""Bulk ingestion (brief 004): POST /api/data/ingest/ queues an import; its status follows it."""

import io

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.serializers import (
    IngestFileSerializer,
    IngestRequestSerializer,
    IngestStatusSerializer,
)
from backend.api.views import object_id
from backend.jobs import ingestion, selectors


class CSVParser(BaseParser):
    """A CSV file sent as the body itself (`Content-Type: text/csv`)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return stream.read().decode("utf-8-sig") if stream is not None else ""
        except UnicodeDecodeError as exc:
            raise ParseError("The CSV file must be UTF-8 text.") from exc


def _records(request) -> tuple[list, str]:
    """The records a request carries (JSON, a CSV body or an uploaded CSV file), and a title."""
    if isinstance(request.data, str):
        return ingestion.records_from_csv(io.StringIO(request.data, newline="")), ""
    if "file" in request.FILES:
        upload = request.FILES["file"]
        lines = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
        return ingestion.records_from_csv(lines), f"Import of {upload.name}"
    data = request.data
    records = data.get("records") if hasattr(data, "get") else data
    if not isinstance(records, list):
        raise ValidationError(
            {"records": ['Send a list of task records: {"records": [...]}, or a CSV file.']}
        )
    return records, ""


# The error shape itself is added to every error response by backend/api/schema.py.
ERRORS = {
    400: OpenApiResponse(description="Not a list of records, a bad CSV file or a bad key."),
    401: OpenApiResponse(description="No valid access token."),
    413: OpenApiResponse(description="More than 1,000 records, or a body over 2.5 MB."),
}


class IngestView(APIView):
    parser_classes = [JSONParser, CSVParser, MultiPartParser]

    @extend_schema(
        tags=["ingestion"],
        summary="Import up to 1,000 tasks in the background",
        request={
            "application/json": IngestRequestSerializer,
            "text/csv": {"type": "string", "description": "A CSV file in the export's shape."},
            "multipart/form-data": IngestFileSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Your name for this request (at most 255 characters): sending it "
                "again returns the same job and imports nothing twice.",
            )
        ],
        responses={
            202: OpenApiResponse(
                IngestStatusSerializer, description="Queued (or, for a known key, the job)."
            ),
            **ERRORS,
        },
    )
    def post(self, request):
        """Answers at once with the job; a worker checks every record with createTask's rules,
        creates the valid ones and reports the others' errors (see the status)."""
        records, title = _records(request)
        job, _ = ingestion.submit_ingestion(
            actor=request.user,
            records=records,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            title=title,
        )
        job = selectors.ingestion_job(user=request.user, job_id=job.id)
        body = IngestStatusSerializer(job, context={"request": request}).data
        return Response(body, status=202, headers={"Location": body["status_url"]})


class IngestStatusView(APIView):
    @extend_schema(
        tags=["ingestion"],
        summary="How an import is going",
        responses={
            200: IngestStatusSerializer,
            401: ERRORS[401],
            404: OpenApiResponse(description="No such import, or not yours."),
        },
    )
    def get(self, request, job_id):
        """PENDING, PROCESSING with its progress, COMPLETED with the counts and each refused
        record's errors, or FAILED with the reason. Only its owner (and staff) see it."""
        job = selectors.ingestion_job(user=request.user, job_id=object_id(job_id))
        return Response(IngestStatusSerializer(job, context={"request": request}).data)
