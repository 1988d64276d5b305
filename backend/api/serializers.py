"""Serializers shape data; the services validate and decide.

Input serializers check only types and presence (what JSON cannot express); every business
rule (length, uniqueness, who may assign whom) is the services', whose errors the exception
handler reports per field.
"""

from django.db.models import Field as ModelField
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import User
from backend.jobs.models import Job, JobKind
from backend.platform.ids import MAX_ID
from backend.platform.text import LONG_TEXT_MAX_LENGTH
from backend.projects.models import Project
from backend.tasks.models import Comment, Task, TaskPriority, TaskStatus

HEALTH_STATUSES = ["ok", "degraded", "unavailable"]

# One wording on every door: what a serializer refuses before the services see it reads as the
# services' own refusal (Django's model validation), which GraphQL and the import answer. Set
# before any field below is made: a field copies its class's messages when it is created.
serializers.Field.default_error_messages["null"] = ModelField.default_error_messages["null"]
serializers.CharField.default_error_messages["blank"] = ModelField.default_error_messages["blank"]
serializers.ChoiceField.default_error_messages["invalid_choice"] = (
    "Value '{input}' is not a valid choice."
)


def id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class UserSummarySerializer(serializers.ModelSerializer):
    """Another person, as anyone may see them."""

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name"]
        read_only_fields = fields


class AccountSerializer(serializers.ModelSerializer):
    """The signed-in user, as brief 002 shows them after registering or signing in."""

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name"]
        read_only_fields = fields


class ProfileSerializer(serializers.ModelSerializer):
    """The signed-in user's own account and preferences."""

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "time_zone",
            "email_on_assignment",
            "email_on_reminders",
            "is_staff",
            "date_joined",
        ]
        read_only_fields = ["id", "username", "is_staff", "date_joined"]
        # Uniqueness and time zones are checked by the service, once.
        extra_kwargs = {"email": {"validators": []}, "time_zone": {"validators": []}}


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    password2 = serializers.CharField(
        write_only=True, trim_whitespace=False, help_text="The password again."
    )
    first_name = serializers.CharField(required=False, allow_blank=True, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["password"] != attrs.pop("password2"):
            raise serializers.ValidationError({"password2": ["The two passwords differ."]})
        return attrs


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    refresh = serializers.CharField()
    access = serializers.CharField()


class AuthResponseSerializer(serializers.Serializer):
    user = AccountSerializer()
    tokens = TokenPairSerializer()
    message = serializers.CharField()


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class ProjectSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer()
    members = UserSummarySerializer(many=True)

    class Meta:
        model = Project
        fields = ["id", "name", "description", "owner", "members", "created_at", "updated_at"]
        read_only_fields = fields


class ProjectSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]
        read_only_fields = fields


class ProjectWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, trim_whitespace=False)
    description = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=LONG_TEXT_MAX_LENGTH
    )


class MemberSerializer(serializers.Serializer):
    user_id = id_field()


class TaskSerializer(serializers.ModelSerializer):
    project = ProjectSummarySerializer(allow_null=True)
    created_by = UserSummarySerializer()
    assignee = UserSummarySerializer(allow_null=True)
    is_overdue = serializers.BooleanField()
    comment_count = serializers.IntegerField()

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "description",
            "status",
            "priority",
            "due_date",
            "is_overdue",
            "project",
            "created_by",
            "assignee",
            "comment_count",
            "version",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields


class TaskWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255, trim_whitespace=False)
    description = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=LONG_TEXT_MAX_LENGTH
    )
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=TaskPriority.choices, required=False)
    due_date = serializers.DateTimeField(required=False, allow_null=True)
    project_id = id_field(required=False, allow_null=True)
    assignee_id = id_field(required=False, allow_null=True)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="On update: the version you read. A newer stored version is a 409 conflict. "
        "Absent or null: no check, as over GraphQL.",
    )


class TaskEnvelopeSerializer(serializers.Serializer):
    task = TaskSerializer()
    message = serializers.CharField()


class TaskDetailSerializer(serializers.Serializer):
    task = TaskSerializer()
    cached = serializers.BooleanField(help_text="Whether the task was served from the cache.")


class StatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    count = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    stats = StatusCountSerializer(many=True)
    total = serializers.IntegerField()


class PriorityCountSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=TaskPriority.choices)
    count = serializers.IntegerField()


class ProjectTaskCountSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Its tasks in the report.")
    completed = serializers.IntegerField()
    overdue = serializers.IntegerField()


class TaskReportSerializer(serializers.Serializer):
    """A task report (backend/tasks/reports.py TaskReport), as `taskReport` shows it."""

    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    pending = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Open tasks whose due date has passed.")
    personal = serializers.IntegerField(help_text="Tasks in no project.")
    by_status = serializers.SerializerMethodField()
    by_priority = serializers.SerializerMethodField()
    by_project = ProjectTaskCountSerializer(many=True)
    computed_at = serializers.DateTimeField()

    @extend_schema_field(StatusCountSerializer(many=True))
    def get_by_status(self, report) -> list[dict]:
        return [{"status": key, "count": count} for key, count in report.by_status.items()]

    @extend_schema_field(PriorityCountSerializer(many=True))
    def get_by_priority(self, report) -> list[dict]:
        return [{"priority": key, "count": count} for key, count in report.by_priority.items()]


class TaskReportResponseSerializer(serializers.Serializer):
    report = TaskReportSerializer()
    cached = serializers.BooleanField(help_text="Whether the report was served from the cache.")


class CommentSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer()

    class Meta:
        model = Comment
        fields = ["id", "task_id", "author", "content", "created_at"]
        read_only_fields = fields


class CommentWriteSerializer(serializers.Serializer):
    content = serializers.CharField(trim_whitespace=False, max_length=LONG_TEXT_MAX_LENGTH)


class CheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    ms = serializers.FloatField(help_text="How long the check took, in milliseconds.")
    error = serializers.CharField(required=False)


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=HEALTH_STATUSES)
    checks = serializers.DictField(child=CheckSerializer())


class JobOwnerSerializer(serializers.ModelSerializer):
    """A job's owner, as brief 002 shows a task's user."""

    class Meta:
        model = User
        fields = ["id", "username", "email"]
        read_only_fields = fields


class JobSerializer(serializers.ModelSerializer):
    owner = JobOwnerSerializer()
    result = serializers.JSONField(
        allow_null=True,
        help_text="What a completed job produced; an export's holds `rows` and `download_url`.",
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "status",
            "progress",
            "result",
            "error",
            "celery_task_id",
            "attempts",
            "owner",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobEnvelopeSerializer(serializers.Serializer):
    job = JobSerializer()
    message = serializers.CharField(required=False)


# Ingestion and reports have their own endpoints, which take what they need.
SUBMITTED_KINDS = [JobKind.PROCESS, JobKind.EXPORT]


class JobSubmitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in SUBMITTED_KINDS], default=JobKind.PROCESS
    )
    title = serializers.CharField(
        required=False,
        trim_whitespace=False,
        help_text="Required for a `process` job; an export is titled for you if left out.",
    )
    description = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )
    filters = serializers.DictField(
        required=False,
        help_text="For an `export`: the filters of GET /api/tasks/ (`status`, `project`, ...).",
    )


class ImportRecordSerializer(serializers.Serializer):
    """One task to import: createTask's fields (checked by the worker, with its rules)."""

    title = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=TaskPriority.choices, required=False)
    due_date = serializers.DateTimeField(required=False, allow_null=True)
    project_id = id_field(required=False, allow_null=True)
    assignee_id = id_field(required=False, allow_null=True)


class IngestRequestSerializer(serializers.Serializer):
    records = ImportRecordSerializer(many=True, help_text="1 to 1,000 tasks.")


class IngestFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file in the export's shape, up to 1,000 tasks.")


class ImportErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The record's position, from 0.")
    field = serializers.CharField(allow_null=True, help_text="null: the record as a whole.")
    message = serializers.CharField()
    code = serializers.CharField()


class IngestStatusSerializer(serializers.Serializer):
    """An import: PENDING, PROCESSING (with progress), COMPLETED (with counts) or FAILED."""

    job_id = serializers.IntegerField(source="id")
    status = serializers.CharField()
    progress = serializers.IntegerField(help_text="0-100.")
    total = serializers.IntegerField(source="ingestion.total", help_text="Records sent.")
    imported = serializers.SerializerMethodField(help_text="Once COMPLETED: tasks created.")
    failed = serializers.SerializerMethodField(help_text="Once COMPLETED: records refused.")
    errors = serializers.SerializerMethodField(help_text="Once COMPLETED: why, per record.")
    error = serializers.CharField(help_text="Once FAILED: why the import stopped.")
    status_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_imported(self, job) -> int | None:
        return (job.result or {}).get("imported")

    def get_failed(self, job) -> int | None:
        return (job.result or {}).get("failed")

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job):
        return (job.result or {}).get("errors", [])

    def get_status_url(self, job) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("ingest-status", kwargs={"job_id": job.id})
        )
