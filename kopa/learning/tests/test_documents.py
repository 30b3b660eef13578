from __future__ import annotations

import pytest

from kopa.learning.links import token_for
from kopa.learning.tests.factories import attach, feedback_template, held_activity
from kopa.programme.documents import attendance_sheet_pdf
from kopa.programme.tests.test_documents import compact, pdf_text

pytestmark = pytest.mark.django_db


def test_the_attendance_sheet_carries_the_open_questionnaire_link():
    activity = held_activity()
    questionnaire = attach(activity, feedback_template())
    text = compact(pdf_text(attendance_sheet_pdf(activity)))
    assert compact(token_for(questionnaire, None)) in text
    assert "Feedbackontheactivity" in text
