from django.contrib import admin

from kopa.programme.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Priority,
    Project,
    ProjectPartner,
    TargetGroup,
)


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0


class PriorityInline(admin.TabularInline):
    model = Priority
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "funding_programme", "action_code", "start_date", "end_date"]
    filter_horizontal = ["target_groups"]
    inlines = [PartnerInline, PriorityInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "kind", "status", "planned_start", "starts_at"]
    list_filter = ["status", "kind", "project", "is_demo"]
    search_fields = ["slug", "place"]
    filter_horizontal = ["organisers", "target_groups"]


admin.site.register(ActivityKind)
admin.site.register(TargetGroup)


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(admin.ModelAdmin):
    """Uploads go through the coordinators' photos page (it strips metadata); here only review."""

    list_display = ["activity", "caption", "credit", "people_consented", "created"]
    list_filter = ["people_consented"]
    readonly_fields = ["activity", "key", "sizes", "uploaded_by", "created"]

    def has_add_permission(self, request):
        return False
