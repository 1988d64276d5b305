from django.contrib import admin

from backend.jobs.models import EmailDelivery, Job, ProjectSummary, TaskReminder


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "kind", "status", "progress", "owner", "attempts", "created_at")
    list_filter = ("status", "kind", "created_at")
    list_select_related = ("owner",)
    search_fields = ("title", "description", "owner__username", "celery_task_id", "error")
    raw_id_fields = ("owner",)
    readonly_fields = ("celery_task_id", "attempts", "created_at", "updated_at", "started_at")
    date_hierarchy = "created_at"


@admin.register(ProjectSummary)
class ProjectSummaryAdmin(admin.ModelAdmin):
    list_display = ("project", "day", "total", "overdue", "completed_that_day", "announced_at")
    list_filter = ("day",)
    list_select_related = ("project",)
    search_fields = ("project__name",)
    raw_id_fields = ("project",)
    date_hierarchy = "day"


@admin.register(TaskReminder)
class TaskReminderAdmin(admin.ModelAdmin):
    list_display = ("task", "due_date", "created_at", "notified_at")
    list_select_related = ("task",)
    search_fields = ("task__title",)
    raw_id_fields = ("task",)


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """Read-only: written by the workers, kept to stop retries from sending an e-mail twice."""

    list_display = ("key", "recipient", "subject", "attempts", "sent_at", "created_at")
    list_filter = ("sent_at",)
    search_fields = ("key", "recipient", "subject")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
