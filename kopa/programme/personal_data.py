"""What the programme holds on a person: their registrations (name, email, organisation,
answers, consent with the notice's version, attendance), photos they uploaded and check-ins
they made (the personal-data contract, docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kopa.core.countries import country_name, language_name
from kopa.core.models import AuditEntry, PrivacyNotice
from kopa.core.personal_data import RetentionRule, audit_entries_about, scrub_entries_about
from kopa.programme.models import (
    Activity,
    ActivityPhoto,
    FewerOpportunities,
    Question,
    Registration,
)

if TYPE_CHECKING:
    from kopa.accounts.models import User

# An erased registration keeps a unique address (the one-active-registration constraint needs
# one) that reaches no one (.invalid, RFC 2606) and marks it as anonymised for the next run.
ERASED_DOMAIN = "erased.invalid"


def _label(model: type, field: str) -> Any:
    return model._meta.get_field(field).verbose_name


def _answer_text(question: Question | None, value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if question is not None and question.kind == Question.Kind.CHOICE and isinstance(value, int):
        choices = question.choice_list()
        return choices[value] if 0 <= value < len(choices) else str(value)
    return str(value)


def _registrations(email: str) -> QuerySet[Registration]:
    return Registration.objects.filter(email=email.strip().lower())


def _registration_record(registration: Registration) -> dict[Any, Any]:
    activity = registration.activity
    questions = {str(question.pk): question for question in activity.questions.all()}
    answers = {
        (str(questions[key].label) if key in questions else key): _answer_text(
            questions.get(key), value
        )
        for key, value in registration.answers.items()
    }
    record = {
        Activity._meta.verbose_name: str(activity.title),
        _label(Activity, "starts_at"): activity.when(),
        _label(Registration, "status"): registration.get_status_display(),
        _label(Registration, "name"): registration.name,
        _label(Registration, "email"): registration.email,
        _label(Registration, "organisation_name"): registration.organisation_name,
        _label(Registration, "country"): country_name(registration.country),
        _label(Registration, "participant_group"): (
            str(registration.participant_group.name) if registration.participant_group else ""
        ),
        _label(Registration, "languages"): [language_name(code) for code in registration.languages],
        _label(Registration, "language"): registration.get_language_display(),
        _label(Registration, "answers"): answers,
        PrivacyNotice._meta.verbose_name: registration.consent_notice.version,
        _label(Registration, "consented_at"): registration.consented_at,
        _label(Registration, "created"): registration.created,
        _label(Registration, "confirmed_at"): registration.confirmed_at,
        _label(Registration, "cancelled_at"): registration.cancelled_at,
        _label(Registration, "attended_at"): registration.attended_at,
        AuditEntry._meta.verbose_name_plural: audit_entries_about(Registration, [registration.pk]),
    }
    declaration = getattr(registration, "fewer_opportunities", None)
    if declaration is not None:
        record[FewerOpportunities._meta.verbose_name] = {
            _label(FewerOpportunities, "categories"): declaration.category_labels(),
            PrivacyNotice._meta.verbose_name: declaration.consent_notice.version,
            _label(FewerOpportunities, "consented_at"): declaration.consented_at,
        }
    return record


def personal_data(*, email: str, user: User | None) -> dict[str, list[dict]]:
    sections: dict[Any, list[dict]] = {}
    registrations = [
        _registration_record(registration)
        for registration in _registrations(email)
        .select_related(
            "activity",
            "participant_group",
            "consent_notice",
            "fewer_opportunities__consent_notice",
        )
        .prefetch_related("activity__questions")
        .order_by("created")
    ]
    if registrations:
        sections[Registration._meta.verbose_name_plural] = registrations
    if user is not None:
        photos = [
            {
                Activity._meta.verbose_name: str(photo.activity.title),
                _label(ActivityPhoto, "caption"): str(photo.caption),
                _label(ActivityPhoto, "credit"): photo.credit,
                _label(ActivityPhoto, "created"): photo.created,
            }
            for photo in ActivityPhoto.objects.filter(uploaded_by=user).select_related("activity")
        ]
        if photos:
            sections[ActivityPhoto._meta.verbose_name_plural] = photos
    return sections


def _has_not_happened(activity: Activity, now: dt.datetime) -> bool:
    if activity.status == Activity.Status.HELD:
        return False
    return activity.starts_at is None or activity.starts_at > now


def anonymise_registrations(
    registrations: QuerySet[Registration], *, now: dt.datetime, give_up_seats: bool = True
) -> int:
    """Scrub every personal field of these registrations; keep the row with what the funder's
    figures count (activity, status, country, participant group, languages, attendance, dates).
    A declaration of fewer opportunities goes entirely: it was given for this person alone.

    With `give_up_seats` (an erasure), a seat the person still holds at an activity that has not
    happened is given up first and goes to the head of the waiting list, as when they cancel;
    retention never changes a status. No mail goes to the erased
    person. Private links, check-in codes and certificates stop working: they carry the old
    public id, which is replaced.
    """
    from kopa.programme.services import _promote_waiting

    count = 0
    for registration in registrations.select_related("activity").order_by("pk"):
        activity = Activity.objects.select_for_update().get(pk=registration.activity_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        was_confirmed = registration.status == Registration.Status.CONFIRMED
        gives_up_seat = (
            give_up_seats and registration.is_active and _has_not_happened(activity, now)
        )
        needles = [registration.name, registration.email, registration.organisation_name]
        needles += [value for value in registration.answers.values() if isinstance(value, str)]
        if gives_up_seat:
            registration.status = Registration.Status.CANCELLED
            registration.cancelled_at = now
        registration.name = ""
        registration.email = f"{uuid.uuid4().hex}@{ERASED_DOMAIN}"
        registration.organisation_name = ""
        registration.answers = {}
        registration.public_id = uuid.uuid4()
        registration.save()
        FewerOpportunities.objects.filter(registration=registration).delete()
        scrub_entries_about(Registration, [registration.pk], needles)
        if gives_up_seat and was_confirmed:
            _promote_waiting(activity, now=now)
        count += 1
    return count


def erase_personal_data(*, email: str, user: User | None) -> dict[str, int]:
    now = timezone.now()
    result = {
        "programme.registrations_anonymised": anonymise_registrations(
            _registrations(email), now=now
        )
    }
    if user is not None:
        result["programme.photo_uploads_unlinked"] = ActivityPhoto.objects.filter(
            uploaded_by=user
        ).update(uploaded_by=None)
        result["programme.check_ins_unlinked"] = Registration.objects.filter(
            checked_in_by=user
        ).update(checked_in_by=None)
    return result


# --- retention ----------------------------------------------------------------------------------

_NOT_ANONYMISED = ~Q(email__endswith=f"@{ERASED_DOMAIN}")


def _ended_registrations(*, now: dt.datetime, days: int) -> QuerySet[Registration]:
    """Registrations of activities whose project ended more than `days` days ago."""
    cutoff = (now - dt.timedelta(days=days)).date()
    return Registration.objects.filter(_NOT_ANONYMISED, activity__project__end_date__lt=cutoff)


def _anonymise_after_project(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    old = _ended_registrations(now=now, days=days)
    return old.count() if dry_run else anonymise_registrations(old, now=now, give_up_seats=False)


def _anonymise_cancelled(*, now: dt.datetime, days: int, dry_run: bool) -> int:
    """Cancelled and declined registrations are not needed once the activity is over: they
    count nowhere but in the list the coordinators used at the time."""
    cutoff = now - dt.timedelta(days=days)
    old = Registration.objects.filter(
        _NOT_ANONYMISED,
        Q(activity__ends_at__lt=cutoff)
        | Q(activity__ends_at__isnull=True, activity__planned_end__lt=cutoff.date()),
        status__in=[Registration.Status.CANCELLED, Registration.Status.DECLINED],
    )
    return old.count() if dry_run else anonymise_registrations(old, now=now, give_up_seats=False)


def retention_rules() -> list[RetentionRule]:
    return [
        RetentionRule(
            kind="programme.registrations",
            description=Registration._meta.verbose_name_plural,
            # Erasmus+ grant agreements ask partners to keep the evidence of activities for
            # five years after the balance is paid; the project's end is the earliest safe day.
            default_days=5 * 365,
            effect="anonymised",
            apply=_anonymise_after_project,
        ),
        RetentionRule(
            kind="programme.cancelled_registrations",
            description=Registration.Status.CANCELLED.label,
            default_days=90,
            effect="anonymised",
            apply=_anonymise_cancelled,
        ),
    ]
