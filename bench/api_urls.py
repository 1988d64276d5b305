"""Stride's routes plus /bench/tasks/: a hand-optimized DRF list of the same page.

The baseline of the issue: what a careful DRF developer writes for one fixed screen — one
query with the joins, only the columns shown, rows as dicts, no serializer classes, no count.
The same values as the GraphQL page of bench/api.py (its project and assignee ids included).
"""

from django.db.models import F
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.tasks.models import Task
from backend.urls import urlpatterns as stride_urlpatterns


class HandOptimizedTaskList(APIView):
    def get(self, request):
        rows = (
            Task.objects.visible_to(request.user)
            .order_by("-created_at", "-id")
            .values(
                "id",
                "title",
                "status",
                "priority",
                "due_date",
                "created_at",
                "project_id",
                "assignee_id",
                project_name=F("project__name"),
                assignee_username=F("assignee__username"),
            )[:50]
        )
        return Response({"results": list(rows)})


urlpatterns = [path("bench/tasks/", HandOptimizedTaskList.as_view()), *stride_urlpatterns]
