"""Operational endpoints."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.serializers import HealthSerializer
from backend.platform import health, outages


class HealthView(APIView):
    """Whether the database, the cache, the channel layer and the broker answer, each named:
    503 when the database does not (`unavailable`), 200 otherwise (`ok`, or `degraded` when only
    a Redis service is down)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []  # probes poll often; they must not eat a client's budget

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer}, tags=["operations"])
    def get(self, request):
        checks = health.check_all()
        status = health.status(checks)
        body = {
            "status": status,
            "checks": {
                name: {key: value for key, value in asdict(check).items() if value != ""}
                for name, check in checks.items()
            },
        }
        if status == "unavailable":
            return Response(
                body, status=503, headers={"Retry-After": str(outages.RETRY_AFTER_SECONDS)}
            )
        return Response(body)
