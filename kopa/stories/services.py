"""Writes of the stories domain: stories, the editorial workflow, consent and its withdrawal.

The rule that matters most: nothing is shown beyond the editors without a consent in force that
covers it, and a withdrawal takes effect at once. `consent_withdraw` clears `Story.consent` and
sends the story back to draft in one transaction; the search index follows after commit. Only
`consent_record` can give a story a consent again, so a withdrawn story cannot be re-published
without a new one (`story_transition` checks it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.permissions import (
    can_edit_content,
    can_manage_organisation,
    is_circle_member,
    is_project_admin,
    require,
)
from kopa.core.audit import audit_log
from kopa.core.models import PrivacyNotice
from kopa.stories.models import (
    Consent,
    Holiday,
    Ingredient,
    Step,
    Story,
    Teller,
    Theme,
    TranslationCredit,
)
from kopa.stories.search import story_reindex


class EditConflict(Exception):
    """Someone saved the story after this editor opened it."""


class WithdrawalError(Exception):
    """A withdrawal link that cannot be used (again)."""


STORY_FIELDS = (
    "kind",
    "title",
    "summary",
    "text",
    "original_language",
    "activity",
    "country",
    "town",
    "place_precision",
    "told_on",
    "date_precision",
    "visibility",
    "servings",
    "total_minutes",
)

# Allowed moves of the editorial workflow: (from, to) -> audit verb.
TRANSITIONS = {
    (Story.Status.DRAFT, Story.Status.REVIEW): "submitted",
    (Story.Status.REVIEW, Story.Status.DRAFT): "returned",
    (Story.Status.REVIEW, Story.Status.PUBLISHED): "published",
    (Story.Status.PUBLISHED, Story.Status.DRAFT): "unpublished",
}

NO_CONSENT = _(
    "This story has no consent in force that allows publishing its text. Record the teller's "
    "consent first."
)


# Who may do what -----------------------------------------------------------------------------


def can_edit_story(user: Any, story: Story) -> bool:
    return can_edit_content(user, story.organisation)


def is_project_team(user: Any) -> bool:
    """Editors and coordinators of any organisation, and project admins."""
    if is_project_admin(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Membership.objects.filter(
        user=user, role__in=[Membership.Role.EDITOR, Membership.Role.COORDINATOR]
    ).exists()


def can_view_story(user: Any, story: Story) -> bool:
    """Editors see everything of their organisation; others only what consent and visibility
    allow."""
    if can_edit_story(user, story):
        return True
    consent = story.consent
    if story.status != Story.Status.PUBLISHED or consent is None or not consent.publish_text:
        return False
    visibility = story.visibility
    if visibility == Story.Visibility.PUBLIC:
        return True
    if visibility == Story.Visibility.CIRCLE:
        return is_circle_member(user)
    if visibility == Story.Visibility.TEAM:
        return is_project_team(user)
    return False


def editable_organisations(user: Any) -> list[Organisation]:
    if is_project_admin(user):
        return list(Organisation.objects.order_by("slug"))
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Organisation.objects.filter(
            memberships__user=user,
            memberships__role__in=[Membership.Role.EDITOR, Membership.Role.COORDINATOR],
        )
        .distinct()
        .order_by("slug")
    )


# Tellers and stories -------------------------------------------------------------------------


def teller_create(
    *,
    actor: Any,
    organisation: Organisation,
    naming: str,
    name: str = "",
    pseudonym: str = "",
    email: str = "",
) -> Teller:
    require(can_edit_content(actor, organisation))
    teller = Teller(
        organisation=organisation,
        naming=naming,
        name=name.strip(),
        pseudonym=pseudonym.strip(),
        email=email.strip().lower(),
    )
    if naming == Teller.Naming.NAME and not teller.name:
        raise ValidationError({"name": _("Enter the teller's name, or choose another naming.")})
    if naming == Teller.Naming.PSEUDONYM and not teller.pseudonym:
        raise ValidationError({"pseudonym": _("Enter the pseudonym.")})
    teller.full_clean(exclude=["organisation"])
    with transaction.atomic():
        teller.save()
        audit_log(action="stories.teller.created", actor=actor, target=teller)
    return teller


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(STORY_FIELDS)
    if unknown:
        raise TypeError(f"unknown story fields: {sorted(unknown)}")


def _set_recipe(
    story: Story,
    ingredients: Iterable[Mapping[str, Any]] | None,
    steps: Iterable[Mapping[str, Any]] | None,
) -> None:
    if ingredients is not None:
        story.ingredients.all().delete()
        rows = []
        for position, row in enumerate(ingredients):
            ingredient = Ingredient(
                story=story,
                position=position,
                quantity=row.get("quantity"),
                unit=row.get("unit") or "",
                item=row["item"],
                note=row.get("note") or {},
                original_language=story.original_language,
            )
            ingredient.full_clean(exclude=["story"])
            rows.append(ingredient)
        Ingredient.objects.bulk_create(rows)
    if steps is not None:
        story.steps.all().delete()
        rows = []
        for position, text in enumerate(steps):
            step = Step(
                story=story,
                position=position,
                text=text,
                original_language=story.original_language,
            )
            step.full_clean(exclude=["story"])
            rows.append(step)
        Step.objects.bulk_create(rows)


def story_create(
    *,
    actor: Any,
    organisation: Organisation,
    teller: Teller,
    themes: Iterable[Theme] = (),
    holidays: Iterable[Holiday] = (),
    related: Iterable[Story] = (),
    ingredients: Iterable[Mapping[str, Any]] | None = None,
    steps: Iterable[Mapping[str, str]] | None = None,
    is_demo: bool = False,
    **fields: Any,
) -> Story:
    """A new draft, visible to the editors only until consent is recorded and it is published."""
    require(can_edit_content(actor, organisation))
    _check_fields(fields)
    if teller.organisation_id != organisation.pk:
        raise ValidationError({"teller": _("Choose a teller recorded by this organisation.")})
    story = Story(
        organisation=organisation,
        teller=teller,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        is_demo=is_demo,
        **fields,
    )
    story.full_clean(exclude=["organisation", "teller", "recorded_by"])
    with transaction.atomic():
        story.save()
        story.themes.set(themes)
        story.holidays.set(holidays)
        story.related.set([other for other in related if other.pk != story.pk])
        _set_recipe(story, ingredients, steps)
        audit_log(
            action="stories.story.created", actor=actor, target=story, data={"kind": story.kind}
        )
    return story


def story_update(
    *,
    actor: Any,
    story: Story,
    expected_version: int,
    themes: Iterable[Theme] | None = None,
    holidays: Iterable[Holiday] | None = None,
    related: Iterable[Story] | None = None,
    ingredients: Iterable[Mapping[str, Any]] | None = None,
    steps: Iterable[Mapping[str, str]] | None = None,
    **fields: Any,
) -> Story:
    """Save an editor's changes unless someone else saved since they opened the story."""
    require(can_edit_story(actor, story))
    _check_fields(fields)
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if locked.version != expected_version:
            raise EditConflict
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["organisation", "teller", "recorded_by"])
        locked.version += 1
        locked.save()
        if themes is not None:
            locked.themes.set(themes)
        if holidays is not None:
            locked.holidays.set(holidays)
        if related is not None:
            locked.related.set([other for other in related if other.pk != locked.pk])
        _set_recipe(locked, ingredients, steps)
        audit_log(
            action="stories.story.updated",
            actor=actor,
            target=locked,
            data={"fields": sorted(fields), "version": locked.version},
        )
        transaction.on_commit(lambda: story_reindex(story_id=locked.pk))
    return locked


def translation_credit_set(
    *, actor: Any, story: Story, language: str, translator: str, translated_on: Any
) -> TranslationCredit:
    """Mark one language of the story as translated, by whom and when."""
    require(can_edit_story(actor, story))
    if language == story.original_language:
        raise ValidationError({"language": _("The story was told in this language.")})
    if story.consent is not None and not story.consent.translation_allowed:
        raise ValidationError(_("The teller's consent does not allow translations."))
    with transaction.atomic():
        credit, _created = TranslationCredit.objects.update_or_create(
            story=story,
            language=language,
            defaults={"translator": translator.strip(), "translated_on": translated_on},
        )
        credit.full_clean()
        audit_log(
            action="stories.translation.credited",
            actor=actor,
            target=story,
            data={"language": language},
        )
    return credit


def story_transition(*, actor: Any, story: Story, to: str) -> Story:
    """Move a story along draft → in review → published (or back); each move is audited."""
    require(can_edit_story(actor, story))
    with transaction.atomic():
        # Only the story's row: PostgreSQL cannot lock the outer-joined consent.
        locked = (
            Story.objects.select_for_update(of=("self",)).select_related("consent").get(pk=story.pk)
        )
        verb = TRANSITIONS.get((locked.status, to))
        if verb is None:
            raise ValidationError(_("A story cannot move from this status to that one."))
        if to == Story.Status.PUBLISHED:
            if locked.consent is None or not locked.consent.publish_text:
                raise ValidationError(NO_CONSENT, code="no_consent")
            locked.published_at = locked.published_at or timezone.now()
        locked.status = to
        locked.version += 1
        locked.save(update_fields=["status", "published_at", "version", "updated"])
        audit_log(
            action=f"stories.story.{verb}",
            actor=actor,
            target=locked,
            data={"status": to, "visibility": locked.visibility},
        )
        transaction.on_commit(lambda: story_reindex(story_id=locked.pk))
    return locked


# Consent -------------------------------------------------------------------------------------

SCOPES = ("publish_text", "publish_photo", "publish_voice", "show_name", "translation_allowed")


def current_notice() -> PrivacyNotice | None:
    return PrivacyNotice.objects.order_by("-version").first()


def consent_record(
    *,
    actor: Any,
    story: Story,
    given_by: str,
    given_by_name: str,
    given_on: Any,
    method: str,
    scopes: Iterable[str],
    notice: PrivacyNotice,
    witness: Any = None,
    form_upload: Any = None,
) -> Consent:
    """Record a consent and make it the story's consent in force; the teller gets the private
    withdrawal link by mail when their address is known."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from kopa.stories.audio import check_form_file

    require(can_edit_story(actor, story))
    scopes = set(scopes)
    if scopes - set(SCOPES):
        raise TypeError(f"unknown consent scopes: {sorted(scopes - set(SCOPES))}")
    consent = Consent(
        story=story,
        given_by=given_by,
        given_by_name=given_by_name.strip(),
        given_on=given_on,
        method=method,
        notice=notice,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        witness=witness if method == Consent.Method.ORAL else None,
        **{scope: scope in scopes for scope in SCOPES},
    )
    form_data: tuple[bytes, str, str] | None = None
    if method == Consent.Method.FORM:
        if form_upload is None:
            raise ValidationError({"form_file": _("Upload the signed consent form.")})
        form_data = check_form_file(upload=form_upload)
    elif method == Consent.Method.ORAL and (
        witness is None or not can_manage_organisation(witness, story.organisation)
    ):
        raise ValidationError(
            {"witness": _("Oral consent needs a coordinator of the organisation as witness.")}
        )
    consent.full_clean(exclude=["story", "notice", "recorded_by", "witness"])
    written = ""
    if form_data is not None:
        data, extension, content_type = form_data
        name = f"{Consent.FORM_PREFIX}/{uuid.uuid4().hex}/form.{extension}"
        written = default_storage.save(name, ContentFile(data))
        consent.form_file, consent.form_content_type = written, content_type
    try:
        with transaction.atomic():
            locked = Story.objects.select_for_update().get(pk=story.pk)
            consent.save()
            locked.consent = consent
            locked.version += 1
            locked.save(update_fields=["consent", "version", "updated"])
            audit_log(
                action="stories.consent.recorded",
                actor=actor,
                target=locked,
                data={
                    "consent": consent.pk,
                    "method": method,
                    "given_by": given_by,
                    "scopes": sorted(scopes),
                    "notice": notice.version,
                },
            )
            teller = locked.teller
            if teller.email:
                transaction.on_commit(
                    lambda: _send_withdrawal_link(consent=consent, email=teller.email)
                )
            transaction.on_commit(lambda: story_reindex(story_id=locked.pk))
    except BaseException:
        if written:
            default_storage.delete(written)
        raise
    story.consent = consent
    story.version = locked.version
    return consent


def _send_withdrawal_link(*, consent: Consent, email: str) -> None:
    from django.utils.translation import get_language

    from kopa.core.mail import send_templated_mail
    from kopa.stories.links import withdrawal_url

    language = (get_language() or consent.story.original_language).split("-")[0]
    send_templated_mail(
        template="stories/mail/consent_recorded",
        to=email,
        language=language,
        context={
            "story": consent.story,
            "consent": consent,
            "url": withdrawal_url(consent, language=language),
        },
    )


def consent_withdraw(*, consent: Consent, actor: Any = None) -> Story:
    """The teller withdraws: every consent of the story ends, the story leaves every public
    place at once and goes back to draft. Raises WithdrawalError when already withdrawn."""
    now = timezone.now()
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=consent.story_id)
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_at is not None:
            raise WithdrawalError("already withdrawn")
        ended = story.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
        previous_status = story.status
        story.consent = None
        story.withdrawn_at = now
        story.status = Story.Status.DRAFT
        story.version += 1
        story.save(update_fields=["consent", "withdrawn_at", "status", "version", "updated"])
        audit_log(
            action="stories.consent.withdrawn",
            actor=actor,
            target=story,
            data={"consent": locked.pk, "ended": ended, "was": previous_status},
        )
        transaction.on_commit(lambda: story_reindex(story_id=story.pk))
    return story
