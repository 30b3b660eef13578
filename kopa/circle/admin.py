"""Read-only views of the directory for project admins: changes go through imports and services
(which audit them), not through the admin."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from kopa.circle.models import Organization, Service, TaxonomyTerm


class ReadOnlyAdmin(admin.ModelAdmin):
    # The read-only page still builds a form; Django 6's default scheme, without its warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "status", "original_language", "last_modified"]
    list_filter = ["status", "original_language"]
    list_select_related = ["organization"]


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "original_language", "last_modified"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "parent", "is_platform"]
    list_select_related = ["parent"]
