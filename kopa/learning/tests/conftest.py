"""The shipped questionnaire templates come with a data migration, which a transactional test
elsewhere (one that empties the database after itself) takes away again; every test here gets
them back, as a fresh install has them."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _shipped_templates(request):
    if "django_db" not in {mark.name for mark in request.node.iter_markers()} and not {
        "db",
        "transactional_db",
    } & set(request.fixturenames):
        return
    from kopa.learning.models import QuestionnaireTemplate, TemplateQuestion
    from kopa.learning.shipped import load_shipped_templates

    request.getfixturevalue("db")  # the same database access the test asked for
    load_shipped_templates(QuestionnaireTemplate, TemplateQuestion)
