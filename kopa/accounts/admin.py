from django.contrib import admin
from django.db import models

from kopa.accounts.models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "preferred_language", "is_project_admin", "is_active"]
    list_filter = ["is_project_admin", "is_active", "preferred_language"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "preferred_language", "is_active", "is_project_admin"]
    readonly_fields = ["date_joined", "last_login"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "kind", "country", "is_demo"]
    list_filter = ["kind", "country", "is_demo"]
    search_fields = ["slug", "region"]
    prepopulated_fields = {"slug": ["region"]}
    # Django 6's default scheme for a website typed without one, without its warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline]
