from django.contrib import admin

from backend.projects.models import Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "created_at", "updated_at")
    list_filter = ("created_at",)
    search_fields = ("name", "description", "owner__username")
    raw_id_fields = ("owner",)
    inlines = [MembershipInline]
    date_hierarchy = "created_at"
