from __future__ import annotations

import pytest
from django.core.management import call_command

from kopa.learning import selectors
from kopa.learning.models import ActivityQuestionnaire, Material, Response
from kopa.learning.seeding import DEMO_ACTIVITY, seed_demo
from kopa.programme.models import Activity

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_is_complete_fictional_and_idempotent():
    call_command("seed", demo=True, verbosity=0)
    activity = Activity.objects.get(slug=DEMO_ACTIVITY)
    assert activity.is_demo and activity.status == Activity.Status.HELD
    questionnaires = ActivityQuestionnaire.objects.filter(activity=activity)
    assert sorted(questionnaires.values_list("phase", flat=True)) == [
        "after",
        "after",
        "followup",
        "pre",
    ]
    assert Response.objects.filter(questionnaire__activity=activity).count() >= 12
    countries = set(Material.objects.filter(kind="good_practice").values_list("country", flat=True))
    assert {"FI", "DK"} <= countries
    summaries = {s.code: s for s in selectors.competence_summary(project=activity.project)}
    assert summaries["network"].respondents == 4 and summaries["network"].median_now.suppressed
    assert not summaries["situation"].median_now.suppressed
    linked = {c.code: c for c in selectors.pre_followup_changes(questionnaires=questionnaires)}
    assert linked["situation"].people == 6 and not linked["situation"].median_change.suppressed
    assert linked["network"].people == 4 and linked["network"].median_change.suppressed

    again = seed_demo()
    assert (again.created, again.updated) == (0, 0)
    assert Material.objects.count() == 5


def test_the_migration_ships_the_templates_without_any_seed():
    import importlib

    from django.apps import apps

    from kopa.learning.models import QuestionnaireTemplate

    QuestionnaireTemplate.objects.all().delete()
    importlib.import_module("kopa.learning.migrations.0002_shipped_templates").load(apps, None)
    assert set(QuestionnaireTemplate.objects.values_list("code", flat=True)) >= {
        "activity-feedback",
        "competence-self-assessment",
    }
