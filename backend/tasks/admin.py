from django.contrib import admin

from backend.tasks.models import Activity, Comment, Task


class CommentInline(admin.TabularInline):
    model = Comment
    raw_id_fields = ("author",)
    extra = 0


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "status", "priority", "due_date", "assignee", "version")
    list_filter = ("status", "priority", "due_date", "created_at")
    list_select_related = ("project", "assignee")
    search_fields = ("title", "description", "project__name", "assignee__username")
    raw_id_fields = ("project", "created_by", "assignee")
    readonly_fields = ("created_at", "updated_at", "completed_at", "version")
    inlines = [CommentInline]
    date_hierarchy = "created_at"


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("task", "author", "created_at")
    search_fields = ("content", "author__username", "task__title")
    raw_id_fields = ("task", "author")
    list_select_related = ("task", "author")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Read-only: the history is append-only and written by the services."""

    list_display = ("task", "actor", "verb", "field", "old_value", "new_value", "created_at")
    list_filter = ("verb", "created_at")
    search_fields = ("task__title", "actor__username")
    raw_id_fields = ("task", "actor")
    list_select_related = ("task", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
