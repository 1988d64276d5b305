from django.contrib import admin

from backend.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "message", "task", "created_at", "read_at")
    list_filter = ("kind", "created_at", "read_at")
    search_fields = ("message", "user__username")
    raw_id_fields = ("user", "task")
    list_select_related = ("user", "task")
    date_hierarchy = "created_at"
