"""Operational endpoints."""

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.serializers import HealthSerializer
from backend.platform import health


class HealthView(APIView):
    """Whether the database, the cache and the broker answer: 200 when all do, else 503."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []  # probes poll often; they must not eat a client's budget

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer}, tags=["operations"])
    def get(self, request):
        checks = health.check_all()
        healthy = all(check.ok for check in checks.values())
        body = {
            "status": "ok" if healthy else "unavailable",
            "checks": {
                name: {key: value for key, value in asdict(check).items() if value != ""}
                for name, check in checks.items()
            },
        }
        return Response(body, status=200 if healthy else 503)
