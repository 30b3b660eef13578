"""This domain's pages for the browser and accessibility tests (see tests/browser/conftest.py).

The demo content (kopa/learning/seeding.py) has five materials, a held workshop of Valmiera
library with the feedback questionnaire and the competence self-assessment attached, and
answers to both (one group of four, withheld on the results page).
"""

from __future__ import annotations

from tests.browser.site_pages import Placeholder, SitePage


def _demo_questionnaire(code: str):
    from kopa.learning.models import ActivityQuestionnaire
    from kopa.learning.seeding import DEMO_ACTIVITY

    return ActivityQuestionnaire.objects.get(
        activity__slug=DEMO_ACTIVITY, template__code=code, phase=ActivityQuestionnaire.Phase.AFTER
    )


def public_material(organisation_slug: str) -> str:
    from kopa.learning.models import Material

    return str(Material.objects.filter(visibility="public", kind="file").first().pk)


def feedback_link(organisation_slug: str) -> str:
    from kopa.learning.links import token_for

    return token_for(_demo_questionnaire("activity-feedback"), None)


def competence_link(organisation_slug: str) -> str:
    from kopa.learning.links import token_for

    return token_for(_demo_questionnaire("competence-self-assessment"), None)


def competence_results(organisation_slug: str) -> str:
    return str(_demo_questionnaire("competence-self-assessment").pk)


def feedback_results(organisation_slug: str) -> str:
    return str(_demo_questionnaire("activity-feedback").pk)


def own_template(organisation_slug: str) -> str:
    """A questionnaire the library's coordinator wrote, made the first time a page needs it
    (the demo ships none: the access matrix's world must not hold one, see tests/access)."""
    from kopa.accounts.models import Organisation
    from kopa.learning.models import QuestionnaireTemplate, TemplateQuestion

    organisation = Organisation.objects.get(slug=organisation_slug)
    template, created = QuestionnaireTemplate.objects.get_or_create(
        organisation=organisation,
        code="browser-story-evening",
        defaults={"kind": "feedback", "title": {"en": "Story evening", "lv": "Stāstu vakars"}},
    )
    if created:
        TemplateQuestion.objects.create(
            template=template, code="q-1", kind="scale", text={"en": "How was it?"}
        )
    return str(template.pk)


PAGES: list[SitePage] = [
    SitePage("learning-materials", "/learning/"),
    SitePage("learning-materials-filtered", "/learning/?kind=good_practice&theme=storytelling"),
    SitePage("learning-material", "/learning/materials/{learning_material}/"),
    SitePage("learning-material-new", "/learning/materials/new/", login="editor"),
    SitePage("learning-answer-feedback", "/learning/q/{learning_feedback_link}/"),
    SitePage("learning-answer-competence", "/learning/q/{learning_competence_link}/"),
    SitePage("learning-answer-broken-link", "/learning/q/not-a-link/", status=404),
    SitePage(
        "learning-questionnaires",
        "/learning/activities/demo-listening-workshop/questionnaires/",
        login="coordinator",
    ),
    SitePage("learning-results-index", "/learning/results/", login="coordinator"),
    SitePage(
        "learning-results-competence",
        "/learning/results/{learning_competence_results}/",
        login="coordinator",
    ),
    SitePage(
        "learning-results-programme-competence",
        "/learning/results/all/competence-self-assessment/",
        login="coordinator",
    ),
    SitePage("learning-templates", "/learning/templates/", login="coordinator"),
    SitePage("learning-template-new", "/learning/templates/new/", login="coordinator"),
    SitePage(
        "learning-template-edit",
        "/learning/templates/{learning_own_template}/",
        login="coordinator",
    ),
    SitePage(
        "learning-results-feedback",
        "/learning/results/{learning_feedback_results}/",
        login="coordinator",
    ),
]

PLACEHOLDERS: dict[str, Placeholder] = {
    "learning_material": public_material,
    "learning_feedback_link": feedback_link,
    "learning_competence_link": competence_link,
    "learning_competence_results": competence_results,
    "learning_feedback_results": feedback_results,
    "learning_own_template": own_template,
}
