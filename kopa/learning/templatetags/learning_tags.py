"""`{% questionnaire_qr activity %}`: the open questionnaire link as a QR code, for the
attendance sheet, so people who came without registering can answer too."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from kopa.learning.links import answer_url
from kopa.learning.models import ActivityQuestionnaire

register = template.Library()


@register.inclusion_tag("learning/includes/attendance_qr.html")
def questionnaire_qr(activity: Any) -> dict[str, Any]:
    from kopa.programme.documents import qr_svg_data_uri

    codes = []
    for questionnaire in ActivityQuestionnaire.objects.select_related("template").filter(
        activity=activity
    ):
        if questionnaire.is_open():
            url = answer_url(questionnaire, language=get_language())
            codes.append({"questionnaire": questionnaire, "url": url, "qr": qr_svg_data_uri(url)})
    return {"codes": codes}


@register.inclusion_tag("learning/includes/questionnaires_button.html")
def questionnaires_button(activity: Any) -> dict[str, Any]:
    """The button on the coordinators' activity page that leads to its questionnaires."""
    return {"activity": activity}
