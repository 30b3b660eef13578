"""Admins extend the shipped themes and holidays here. Stories, tellers and consents are edited
only through the editors' pages, whose services check consent and write the audit log."""

from django.contrib import admin

from kopa.stories.models import Holiday, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "position"]
    ordering = ["position", "code"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "position"]
    ordering = ["position", "code"]
