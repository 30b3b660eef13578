"""Coordinators write their own questionnaires: owned by their organisation, usable for its
activities, shipped ones read-only (copy instead), answered ones kept meaningful, two editors
kept from overwriting each other."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.core.i18n import language_codes
from kopa.core.models import AuditEntry
from kopa.learning import links, services
from kopa.learning.forms import AttachForm
from kopa.learning.models import Answer, QuestionnaireTemplate, Response, TemplateQuestion
from kopa.learning.personal_data import retention_rules
from kopa.learning.tests.factories import (
    attach,
    competence_template,
    feedback_template,
    held_activity,
    respond,
)
from kopa.programme import services as programme_services
from kopa.programme.tests.factories import registration_data

pytestmark = pytest.mark.django_db


def translated(name: str, **texts: str) -> dict[str, str]:
    """POST data of a translated field: one input per language, in the site's order."""
    return {f"{name}_{index}": texts.get(code, "") for index, code in enumerate(language_codes())}


@pytest.fixture
def library():
    organisation = make_organisation()
    return organisation, make_member(organisation, Membership.Role.COORDINATOR)


def own_template(organisation, coordinator, *questions) -> QuestionnaireTemplate:
    template = services.template_save(
        actor=coordinator,
        template=QuestionnaireTemplate(
            organisation=organisation, title={"en": "Story evening feedback"}
        ),
    )
    for fields in questions or ({"kind": "scale", "text": {"en": "How was it?"}},):
        services.template_question_save(
            actor=coordinator, template=template, question=TemplateQuestion(**fields)
        )
    return template


def test_a_coordinator_writes_a_questionnaire_in_two_languages_and_uses_it(client, library):
    organisation, coordinator = library
    client.force_login(coordinator)
    created = client.post(
        reverse("learning:template_create"),
        {
            "organisation": organisation.pk,
            "original_language": "lv",
            **translated("title", lv="Stāstu vakars", en="Story evening"),
            **translated("intro", en="Tell us how it went."),
        },
    )
    assert created.status_code == 302
    template = QuestionnaireTemplate.objects.get(organisation=organisation)
    assert not template.is_shipped and template.kind == "feedback"
    edit = created["Location"]
    for data in (
        {"question-kind": "scale", "question-scale_max": 7},
        {
            "question-kind": "choice",
            "question-scale_max": 5,
            **translated("question-choices", en="Yes\nNo", lv="Jā\nNē"),
        },
        {"question-kind": "text", "question-scale_max": 5},
    ):
        texts = translated("question-text", en=f"Question {data['question-kind']}")
        answer = client.post(
            edit,
            {
                "action": "save",
                "question-version": template.version,
                "question-original_language": "en",
                **texts,
                **data,
            },
        )
        assert answer.status_code == 302, answer.content.decode()
        template.refresh_from_db()
    assert "Question choice" in client.get(edit).content.decode()
    assert "Story evening" in client.get(reverse("learning:templates")).content.decode()
    kinds = list(template.questions.order_by("position").values_list("kind", "scale_max"))
    assert kinds == [("scale", 7), ("choice", 5), ("text", 5)]
    assert AuditEntry.objects.filter(action="learning.template.question_saved").count() == 3

    activity = held_activity(organisers=[organisation])
    assert template in AttachForm(activity=activity).fields["template"].queryset
    questionnaire = services.questionnaire_attach(
        actor=coordinator, activity=activity, template=template
    )
    # In Latvian the title is the Latvian one; the questions fall back to English.
    # The page activates its language; the override puts English back for the tests after it.
    with override("lv"):
        path = reverse("learning:answer", kwargs={"token": links.token_for(questionnaire, None)})
        page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Question choice" in html and "Jā" in html


def test_another_organisation_can_neither_see_nor_use_it(client, library):
    organisation, coordinator = library
    template = own_template(organisation, coordinator)
    other = make_organisation()
    stranger = make_member(other, Membership.Role.COORDINATOR)
    client.force_login(stranger)
    assert client.get(reverse("learning:template_edit", args=[template.pk])).status_code == 404
    assert "Story evening feedback" not in client.get(reverse("learning:templates")).text
    their_activity = held_activity(organisers=[other])
    assert template not in AttachForm(activity=their_activity).fields["template"].queryset
    with pytest.raises(ValidationError):
        services.questionnaire_attach(actor=stranger, activity=their_activity, template=template)
    with pytest.raises(PermissionDenied):
        services.template_question_save(
            actor=stranger,
            template=template,
            question=TemplateQuestion(kind="text", text={"en": "Sneaky?"}),
        )


def test_members_and_editors_write_no_questionnaires(client, library):
    organisation, _coordinator = library
    for role in (Membership.Role.MEMBER, Membership.Role.EDITOR):
        client.force_login(make_member(organisation, role))
        assert client.get(reverse("learning:templates")).status_code == 403
        assert client.get(reverse("learning:template_create")).status_code == 403


def test_a_shipped_questionnaire_is_read_only_and_copied_instead(client, library):
    organisation, coordinator = library
    shipped = feedback_template()
    client.force_login(coordinator)
    assert client.get(reverse("learning:template_edit", args=[shipped.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.template_question_save(
            actor=coordinator,
            template=shipped,
            question=TemplateQuestion(kind="text", text={"en": "Changed?"}),
        )
    copied = client.post(reverse("learning:template_copy", args=[shipped.pk]))
    copy = QuestionnaireTemplate.objects.get(organisation=organisation)
    assert copied["Location"] == reverse("learning:template_edit", args=[copy.pk])
    assert copy.title.text == shipped.title.text
    assert [q.text.get("uk") for q in copy.questions.order_by("position")] == [
        q.text.get("uk") for q in shipped.questions.order_by("position")
    ]
    refused = client.post(reverse("learning:template_copy", args=[competence_template().pk]))
    assert refused.status_code == 302
    assert QuestionnaireTemplate.objects.filter(organisation=organisation).count() == 1


def test_an_answered_questionnaire_keeps_questions_its_answers_need(library):
    organisation, coordinator = library
    template = own_template(
        organisation,
        coordinator,
        {"kind": "scale", "text": {"en": "How was it?"}},
        {"kind": "choice", "text": {"en": "Again?"}, "choices": {"en": "Yes\nNo"}},
    )
    scale, choice = template.questions.order_by("position")
    respond(attach(held_activity(organisers=[organisation]), template), {scale.code: 4})
    for question, change in (
        (scale, {"kind": "text"}),
        (scale, {"scale_max": 10}),
        (choice, {"choices": {"en": "Yes\nNo\nMaybe"}}),
    ):
        question = TemplateQuestion.objects.get(pk=question.pk)
        for name, value in change.items():
            setattr(question, name, value)
        with pytest.raises(ValidationError, match="already has answers"):
            services.template_question_save(actor=coordinator, template=template, question=question)
    with pytest.raises(ValidationError, match="already has answers"):
        services.template_question_delete(actor=coordinator, question=scale)
    assert Answer.objects.filter(question=scale).exists()
    # Corrections and new questions are fine.
    choice.choices = {"en": "Yes\nNo", "lv": "Jā\nNē"}
    choice.text = {"en": "Would you come again?"}
    services.template_question_save(actor=coordinator, template=template, question=choice)
    services.template_question_save(
        actor=coordinator,
        template=template,
        question=TemplateQuestion(kind="text", text={"en": "Anything else?"}),
    )
    assert template.questions.count() == 3


def test_two_editors_saving_at_once_do_not_overwrite_each_other(client, library):
    organisation, coordinator = library
    template = own_template(organisation, coordinator)
    opened = template.version
    services.template_save(
        actor=coordinator,
        template=QuestionnaireTemplate.objects.get(pk=template.pk),
        expected_version=opened,
    )
    client.force_login(make_member(organisation, Membership.Role.COORDINATOR))
    stale = client.post(
        reverse("learning:template_edit", args=[template.pk]),
        {
            "action": "template",
            "template-version": opened,
            "template-organisation": organisation.pk,
            "template-original_language": "en",
            **translated("template-title", en="Overwritten"),
        },
    )
    assert stale.status_code == 409
    assert "Someone else changed this questionnaire" in stale.content.decode()
    assert QuestionnaireTemplate.objects.get(pk=template.pk).title.text == "Story evening feedback"
    with pytest.raises(services.TemplateConflict):
        services.template_question_save(
            actor=coordinator,
            template=template,
            question=TemplateQuestion(kind="text", text={"en": "Late?"}),
            expected_version=opened,
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"question-kind": "choice", "question-scale_max": 5}, "Write the choices"),
        ({"question-kind": "scale", "question-scale_max": 11}, "less than or equal to 10"),
        ({"question-kind": "retro", "question-scale_max": 5}, "Select a valid choice"),
    ],
    ids=["choice-without-choices", "scale-too-long", "not-a-coordinator-kind"],
)
def test_bad_questions_are_refused_with_a_message_and_nothing_saved(client, library, data, field):
    organisation, coordinator = library
    template = own_template(organisation, coordinator)
    client.force_login(coordinator)
    response = client.post(
        reverse("learning:template_edit", args=[template.pk]),
        {
            "action": "save",
            "question-version": template.version,
            "question-original_language": "en",
            **translated("question-text", en="Bad?"),
            **data,
        },
    )
    assert response.status_code == 400
    assert field in response.content.decode()
    assert template.questions.count() == 1


def test_a_made_up_question_is_a_404_not_an_error(client, library):
    organisation, coordinator = library
    template = own_template(organisation, coordinator)
    client.force_login(coordinator)
    url = reverse("learning:template_edit", args=[template.pk])
    assert client.get(url + "?question=abc").status_code == 404
    assert client.get(url + "?question=999999").status_code == 404
    assert client.get(url + "?question=99999999999999999999").status_code == 404
    assert client.get(url + "?question=²").status_code == 404


def test_retention_unlinks_responses_and_removes_free_text_after_the_questionnaire_closes():
    organisation = make_organisation()
    questionnaire = attach(
        held_activity(organisers=[organisation]),
        feedback_template(),
        closes_at=timezone.now() - dt.timedelta(days=400),
    )
    registration = programme_services.registration_create(
        activity=held_activity(status="open", starts_at=timezone.now() + dt.timedelta(days=3)),
        **registration_data(),
    )
    respond(questionnaire, {"overall": 4, "best": "Meeting Olena"}, registration=registration)
    rules = {rule.kind: rule for rule in retention_rules()}
    now = timezone.now()
    links_rule, texts_rule = rules["learning.response_links"], rules["learning.free_text_answers"]
    assert links_rule.apply(now=now, days=links_rule.default_days, dry_run=True) == 1
    assert links_rule.apply(now=now, days=links_rule.default_days, dry_run=False) == 1
    assert texts_rule.apply(now=now, days=texts_rule.default_days, dry_run=False) == 1
    assert Response.objects.get().registration is None
    assert not Answer.objects.exclude(text="").exists()
    assert Answer.objects.filter(value=4).exists()  # the rating stays
    assert links_rule.apply(now=now, days=links_rule.default_days, dry_run=False) == 0
    assert texts_rule.apply(now=now, days=texts_rule.default_days, dry_run=False) == 0
