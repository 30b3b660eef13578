from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kopa.accounts import services
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
    actions = ["turn_off_two_step_login"]

    @admin.action(description=_("Turn off two-step login (lost phone and recovery codes)"))
    def turn_off_two_step_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = sum(services.two_factor_reset(actor=request.user, user=user) for user in queryset)
        self.message_user(
            request,
            ngettext(
                "Two-step login is off for %(count)d person; their sessions have ended.",
                "Two-step login is off for %(count)d people; their sessions have ended.",
                done,
            )
            % {"count": done},
        )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "kind", "country", "is_demo"]
    list_filter = ["kind", "country", "is_demo"]
    search_fields = ["slug", "region"]
    prepopulated_fields = {"slug": ["region"]}
    # Django 6's default scheme for a website typed without one, without its warning.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [MembershipInline]
