"""Projects: list, detail, create, change, delete, and their members."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api.filters import ProjectFilterSet
from backend.api.pagination import Page, PageNumbers, cached_page
from backend.api.serializers import (
    MemberSerializer,
    MessageSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
)
from backend.api.views import object_id
from backend.projects import selectors, services


def _project(request, project_id) -> dict:
    project = selectors.project_list(user=request.user).prefetch_related("members")
    return ProjectSerializer(project.select_related("owner").get(id=project_id)).data


@extend_schema_view(
    list=extend_schema(summary="Projects you own or are a member of"),
    retrieve=extend_schema(summary="One project"),
)
@extend_schema(tags=["projects"])
class ProjectViewSet(viewsets.GenericViewSet):
    serializer_class = ProjectSerializer
    pagination_class = PageNumbers
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProjectFilterSet
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return selectors.project_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ProjectWriteSerializer
        return ProjectSerializer

    def list(self, request):
        criteria = ProjectFilterSet(request.query_params).criteria()
        offset, limit = self.paginator.window(request)

        def compute() -> Page:
            projects = selectors.project_list(user=request.user, **criteria)
            rows = projects.select_related("owner").prefetch_related("members")
            return Page(
                count=projects.count(),
                results=list(ProjectSerializer(rows[offset : offset + limit], many=True).data),
            )

        key = (offset, limit, criteria.get("search"), tuple(criteria.get("ordering") or ()))
        page = cached_page(name="rest:projects", request=request, params=key, compute=compute)
        return self.paginator.respond(page)

    def retrieve(self, request, pk):
        return Response(_project(request, object_id(pk)))

    @extend_schema(responses={201: ProjectSerializer})
    def create(self, request):
        """Create a project; you own it and are its first member."""
        serializer = ProjectWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.create_project(actor=request.user, **serializer.validated_data)
        return Response(_project(request, project.id), status=201)

    @extend_schema(responses={200: ProjectSerializer})
    def update(self, request, pk, partial=False):
        """Change the name or description; the owner only."""
        serializer = ProjectWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        project = services.update_project(
            actor=request.user, project_id=object_id(pk), **serializer.validated_data
        )
        return Response(_project(request, project.id))

    @extend_schema(responses={200: ProjectSerializer})
    def partial_update(self, request, pk):
        """Change the fields sent; the owner only."""
        return self.update(request, pk, partial=True)

    @extend_schema(responses={200: MessageSerializer})
    def destroy(self, request, pk):
        """Delete the project and its tasks; the owner only."""
        project_id = object_id(pk)
        services.delete_project(actor=request.user, project_id=project_id)
        return Response({"message": f"Project {project_id} deleted successfully"})

    @extend_schema(request=MemberSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk):
        """Add a member; the owner only. Adding a member twice changes nothing."""
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.add_project_member(
            actor=request.user, project_id=object_id(pk), **serializer.validated_data
        )
        return Response(_project(request, project.id))

    @extend_schema(
        parameters=[OpenApiParameter("user_id", int, OpenApiParameter.PATH)],
        responses={200: MessageSerializer},
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<user_id>[0-9]+)")
    def remove_member(self, request, pk, user_id):
        """Remove a member: the owner may remove anyone else, a member only themself."""
        services.remove_project_member(
            actor=request.user, project_id=object_id(pk), user_id=object_id(user_id)
        )
        return Response({"message": f"User {user_id} left project {pk}"})
