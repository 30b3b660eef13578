"""Project admins can change any questionnaire template here, the shipped ones included, without
the rules of the coordinators' pages (`/learning/templates/`: answered questions kept, versions
checked), so this is for repairs, not for everyday writing. Answers are never listed
(results go through the coordinators' pages, which withhold small groups), and materials are
edited on their own pages, which check the files' bytes, audit and re-index."""

from django.contrib import admin

from kopa.learning.models import (
    ActivityQuestionnaire,
    QuestionnaireTemplate,
    TemplateQuestion,
)


class QuestionInline(admin.StackedInline):
    model = TemplateQuestion
    extra = 0
    fields = ["position", "code", "kind", "domain", "text", "choices", "scale_max", "required"]


@admin.register(QuestionnaireTemplate)
class QuestionnaireTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "organisation", "asks_code", "is_shipped"]
    list_filter = ["kind", "is_shipped"]
    raw_id_fields = ["organisation"]
    inlines = [QuestionInline]


@admin.register(ActivityQuestionnaire)
class ActivityQuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["activity", "template", "phase", "closes_at", "allow_editing"]
    list_filter = ["phase", "template"]
    raw_id_fields = ["activity"]
    readonly_fields = ["created_by", "created"]
