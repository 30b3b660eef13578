from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from kopa.learning import links
from kopa.learning.models import Answer, Response, TemplateQuestion
from kopa.learning.services import participant_code_hash
from kopa.learning.tests.factories import (
    attach,
    competence_template,
    feedback_template,
    held_activity,
)
from kopa.programme.models import Registration
from kopa.programme.tests.factories import registration_data

pytestmark = pytest.mark.django_db


def registration_for(activity) -> Registration:
    return Registration.objects.create(
        activity=activity,
        status=Registration.Status.CONFIRMED,
        consented_at=timezone.now(),
        **registration_data(),
    )


def url(questionnaire, registration=None, language="en") -> str:
    with override(language):
        return reverse(
            "learning:answer", kwargs={"token": links.token_for(questionnaire, registration)}
        )


def question(template, code: str) -> TemplateQuestion:
    return template.questions.get(code=code)


def feedback_post(template, **overrides) -> dict:
    data = {
        f"q{question(template, 'overall').pk}": "5",
        f"q{question(template, 'useful').pk}": "4",
        f"q{question(template, 'use').pk}": "0",
        f"q{question(template, 'best').pk}": "The role play.",
    }
    data.update(overrides)
    return data


def test_a_personal_link_is_answered_once_then_says_already_answered(client):
    activity = held_activity()
    questionnaire = attach(activity, feedback_template())
    registration = registration_for(activity)
    page = client.get(url(questionnaire, registration, "uk"))
    assert page.status_code == 200
    assert "Як ви загалом оцінюєте захід?" in page.content.decode()

    sent = client.post(url(questionnaire, registration), feedback_post(questionnaire.template))
    assert sent.status_code == 200
    response = Response.objects.get()
    assert response.registration == registration
    assert response.answers.count() == 4
    assert response.answers.get(question__code="best").text == "The role play."

    again = client.get(url(questionnaire, registration))
    assert "already answered" in again.content.decode()
    twice = client.post(
        url(questionnaire, registration),
        feedback_post(
            questionnaire.template, **{f"q{question(questionnaire.template, 'overall').pk}": "1"}
        ),
    )
    assert twice.status_code == 200
    assert "already answered" in twice.content.decode()
    assert Response.objects.count() == 1
    assert response.answers.get(question__code="overall").value == 5


def test_editing_replaces_the_answers_when_the_questionnaire_allows_it(client):
    activity = held_activity()
    questionnaire = attach(activity, feedback_template(), allow_editing=True)
    registration = registration_for(activity)
    client.post(url(questionnaire, registration), feedback_post(questionnaire.template))
    overall = question(questionnaire.template, "overall")
    page = client.get(url(questionnaire, registration))
    assert "change your answers" in page.content.decode()
    client.post(
        url(questionnaire, registration),
        feedback_post(questionnaire.template, **{f"q{overall.pk}": "2"}),
    )
    assert Response.objects.count() == 1
    assert Answer.objects.get(question=overall).value == 2


def test_a_tampered_link_is_refused_clearly(client):
    activity = held_activity()
    questionnaire = attach(activity, feedback_template())
    registration = registration_for(activity)
    token = links.token_for(questionnaire, registration)
    forged = token.replace(str(questionnaire.pk), str(questionnaire.pk + 1), 1)
    for bad in (forged, token[:-2] + "xx", "nonsense", "a" * 300):
        page = client.get(reverse("learning:answer", kwargs={"token": bad}))
        assert page.status_code == 404
        assert "This link does not work" in page.content.decode()
    assert client.post(reverse("learning:answer", kwargs={"token": forged}), {}).status_code == 404
    assert Response.objects.count() == 0


def test_a_link_of_another_activitys_registration_is_refused(client):
    questionnaire = attach(held_activity(), feedback_template())
    stranger = registration_for(held_activity())
    assert client.get(url(questionnaire, stranger)).status_code == 404


def test_an_expired_questionnaire_says_closed_and_stores_nothing(client):
    activity = held_activity()
    questionnaire = attach(
        activity, feedback_template(), closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    registration = registration_for(activity)
    page = client.get(url(questionnaire, registration))
    assert page.status_code == 410
    assert "closed" in page.content.decode()
    sent = client.post(url(questionnaire, registration), feedback_post(questionnaire.template))
    assert sent.status_code == 410
    assert Response.objects.count() == 0


def test_answers_out_of_range_are_a_form_error_and_nothing_is_saved(client):
    questionnaire = attach(held_activity(), feedback_template())
    template = questionnaire.template
    overall, use = question(template, "overall"), question(template, "use")
    for bad in (
        {f"q{overall.pk}": "6"},
        {f"q{overall.pk}": "0"},
        {f"q{use.pk}": "3"},
        {f"q{overall.pk}": "five"},
    ):
        page = client.post(url(questionnaire), feedback_post(template, **bad))
        assert page.status_code == 400
        assert "Choose one of the given answers." in page.content.decode()
    missing = client.post(url(questionnaire), {f"q{use.pk}": "1"})
    assert missing.status_code == 400
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_the_service_refuses_out_of_range_values_too():
    from django.core.exceptions import ValidationError

    from kopa.learning.services import response_submit

    questionnaire = attach(held_activity(), feedback_template())
    overall = question(questionnaire.template, "overall")
    with pytest.raises(ValidationError):
        response_submit(
            questionnaire=questionnaire,
            registration=None,
            answers={overall.pk: {"value": 9}},
            language="en",
        )
    assert Response.objects.count() == 0


def test_the_open_link_takes_many_answers_and_is_rate_limited(client, monkeypatch):
    from kopa.core import ratelimit
    from kopa.learning import views

    # One fixed window: a test running across the full hour would otherwise start a new one.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    questionnaire = attach(held_activity(), feedback_template())
    for _i in range(views.ANSWER_LIMIT):
        assert (
            client.post(url(questionnaire), feedback_post(questionnaire.template)).status_code
            == 200
        )
    assert Response.objects.count() == views.ANSWER_LIMIT
    limited = client.post(url(questionnaire), feedback_post(questionnaire.template))
    assert limited.status_code == 429
    assert "Too many answers" in limited.content.decode()
    assert Response.objects.count() == views.ANSWER_LIMIT


def test_self_assessment_keeps_only_a_hash_of_the_code_and_asks_before_only_after(client):
    template = competence_template()
    activity = held_activity()
    after = attach(activity, template)
    statement = template.questions.filter(kind="retro").first()
    page = client.get(url(after, language="lv")).content.decode()
    assert "Pirms programmas" in page and "Kompetenču pašnovērtējums" in page
    sent = client.post(
        url(after),
        {"code": "Sun Flower 77", f"q{statement.pk}_before": "2", f"q{statement.pk}": "4"},
    )
    assert sent.status_code == 200
    response = Response.objects.get()
    assert response.participant_code_hash == participant_code_hash("sunflower77")
    assert "sun" not in response.participant_code_hash.lower()
    answer = response.answers.get()
    assert (answer.before, answer.value) == (2, 4)

    followup = attach(activity, template, phase="followup")
    page = client.get(url(followup))
    assert f'name="q{statement.pk}_before"' not in page.content.decode()
    client.post(
        url(followup),
        {"code": "sunflower 77", f"q{statement.pk}_before": "1", f"q{statement.pk}": "5"},
    )
    later = Response.objects.get(questionnaire=followup)
    assert later.participant_code_hash == response.participant_code_hash
    assert (later.answers.get().before, later.answers.get().value) == (None, 5)


def test_the_code_is_required_for_the_self_assessment(client):
    questionnaire = attach(held_activity(), competence_template())
    statement = questionnaire.template.questions.filter(kind="retro").first()
    page = client.post(url(questionnaire), {f"q{statement.pk}": "4"})
    assert page.status_code == 400
    assert Response.objects.count() == 0
