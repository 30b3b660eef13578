from __future__ import annotations

import pytest

from kopa.accounts.tests.factories import make_organisation
from kopa.core.aggregates import suppressed_label
from kopa.learning import selectors
from kopa.learning.models import Material
from kopa.learning.tests.factories import (
    attach,
    competence_template,
    feedback_template,
    held_activity,
    make_material,
    network_codes,
    respond,
)

pytestmark = pytest.mark.django_db


def competence_answers(before: int, now: int, *, network: bool = True) -> dict:
    from kopa.learning.models import TemplateQuestion

    codes = TemplateQuestion.objects.filter(
        template__code="competence-self-assessment", kind="retro"
    ).values_list("code", "domain")
    return {code: (before, now) for code, domain in codes if network or domain != "network"}


def test_competence_summary_medians_share_and_a_group_of_four_withheld():
    activity = held_activity()
    questionnaire = attach(activity, competence_template())
    respond(questionnaire, competence_answers(2, 4))
    respond(questionnaire, competence_answers(2, 3))
    respond(questionnaire, competence_answers(3, 3))
    respond(questionnaire, competence_answers(1, 4))
    respond(questionnaire, competence_answers(3, 5, network=False))

    summaries = {s.code: s for s in selectors.competence_summary(project=activity.project)}

    situation = summaries["situation"]
    assert situation.respondents == 5
    assert situation.median_before.value == 2
    assert situation.median_now.value == 4
    assert situation.share_improved.value == 80  # 4 of 5 went up
    assert str(situation.label) == "Refugees' situation and referral routes"
    network = summaries["network"]
    assert network.respondents == 4
    assert network.median_before.suppressed and network.median_now.suppressed
    assert network.share_improved.suppressed
    assert str(network.share_improved) == suppressed_label()


def test_competence_summary_for_one_activity_and_not_other_projects():
    activity = held_activity()
    other = held_activity()
    questionnaire = attach(other, competence_template())
    for _i in range(6):
        respond(questionnaire, competence_answers(1, 2))
    assert selectors.competence_summary(project=activity.project) == []
    assert len(selectors.competence_summary(project=other.project, activity=other)) == 5
    assert selectors.competence_summary(project=other.project, activity=activity) == []


def test_materials_summary_counts_every_kind():
    organisation = make_organisation()
    material = make_material(organisation)
    make_material(
        organisation, project=material.project, kind=Material.Kind.LINK, url="https://example.org/"
    )
    make_material(organisation, project=material.project)
    assert selectors.materials_summary(project=material.project) == {
        "file": 0,
        "link": 1,
        "text": 2,
        "good_practice": 0,
    }


def test_response_count_counts_the_projects_responses():
    activity = held_activity()
    questionnaire = attach(activity, feedback_template())
    respond(questionnaire, {"overall": 5})
    respond(questionnaire, {"overall": 4})
    respond(attach(held_activity(), feedback_template()), {"overall": 3})
    assert selectors.response_count(project=activity.project) == 2


def test_shipped_self_assessment_has_12_to_16_statements_in_five_domains_in_five_languages():
    from kopa.learning.models import Domain, TemplateQuestion

    statements = TemplateQuestion.objects.filter(
        template__code="competence-self-assessment", kind="retro"
    )
    assert 12 <= statements.count() <= 16
    assert {q.domain for q in statements} == set(Domain.values)
    assert len(network_codes()) == 3
    every_question = TemplateQuestion.objects.filter(template__is_shipped=True)
    for question in every_question:
        assert set(question.text.translations) == {"lv", "et", "en", "uk", "ru"}, question.code
