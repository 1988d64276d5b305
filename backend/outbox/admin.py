from django.contrib import admin

from backend.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "task_name", "publications", "created_at", "published_at", "done_at")
    list_filter = ("task_name", "done_at")
    search_fields = ("message_id", "task_name", "last_error")
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
