"""Registration with capacity and a waiting list, and the changes coordinators make.

The rule that matters most: never more confirmed registrations than seats. Every change that can
take or free a seat runs in one transaction that first locks the activity row (PostgreSQL:
SELECT … FOR UPDATE; SQLite: the IMMEDIATE transaction mode set in kopa.config takes the write
lock at BEGIN), then counts seats, then writes. Two people taking the last seat queue on that lock;
the second one counts the first one's seat and joins the waiting list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Organisation
from kopa.accounts.permissions import can_manage_organisation, is_project_admin, require
from kopa.core.audit import audit_log
from kopa.core.models import PrivacyNotice
from kopa.programme.models import (
    Activity,
    FewerOpportunities,
    Project,
    Question,
    Registration,
    TargetGroup,
)

Status = Registration.Status


class RegistrationError(Exception):
    """A registration that cannot be made or changed; `message` is for the person, translated."""

    def __init__(self, code: str, message: Any):
        super().__init__(code)
        self.code = code
        self.message = message


CLOSED_MESSAGES = {
    "not_open": _("Registration for this activity is not open yet."),
    "closed": _("Registration for this activity has closed."),
    "cancelled": _("This activity is cancelled."),
    "held": _("This activity has already taken place."),
}


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _confirmed_count(activity: Activity) -> int:
    return activity.registrations.filter(status=Status.CONFIRMED).count()


def _has_seat(activity: Activity) -> bool:
    return activity.capacity is None or _confirmed_count(activity) < activity.capacity


def clean_answers(*, activity: Activity, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the activity's questions, keyed by question id; raises ValidationError."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question in activity.questions.all():
        key = str(question.pk)
        value = answers.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if question.required:
                errors[key] = _("Answer this question.")
            continue
        if question.kind == Question.Kind.TEXT:
            if not isinstance(value, str) or len(value) > 2000:
                errors[key] = _("Keep the answer under 2000 characters.")
                continue
        elif question.kind == Question.Kind.CHOICE:
            choices = question.choice_list()
            if not (isinstance(value, str) and value.isdigit() and int(value) < len(choices)):
                errors[key] = _("Choose one of the options.")
                continue
            value = int(value)
        elif question.kind == Question.Kind.YES_NO:
            if value not in ("yes", "no", True, False):
                errors[key] = _("Answer yes or no.")
                continue
            value = value in ("yes", True)
        cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def registration_create(
    *,
    activity: Activity,
    name: str,
    email: str,
    country: str,
    organisation_name: str = "",
    participant_group: TargetGroup | None = None,
    languages: list[str] | None = None,
    answers: Mapping[str, Any] | None = None,
    language: str,
    consent_notice: PrivacyNotice,
    fewer_opportunities: Sequence[str] = (),
    fewer_opportunities_consent: bool = False,
    now: dt.datetime | None = None,
) -> Registration:
    """Take a seat if one is free, else a place on the waiting list (or await approval).

    The categories of `fewer_opportunities` are stored only with their own consent: without
    it they are dropped, whatever was posted."""
    now = now or timezone.now()
    categories = clean_fewer_opportunities(fewer_opportunities)
    email = email.strip().lower()
    validate_email(email)  # syntax only: no DNS look-ups, the platform works offline
    state = activity.registration_state(now)
    if state != "open":
        raise RegistrationError(state, CLOSED_MESSAGES[state])
    cleaned_answers = clean_answers(activity=activity, answers=answers or {})
    registration = Registration(
        activity=activity,
        name=name.strip(),
        email=email,
        country=country,
        organisation_name=organisation_name.strip(),
        participant_group=participant_group,
        languages=list(languages or []),
        answers=cleaned_answers,
        language=language,
        consent_notice=consent_notice,
        consented_at=now,
        created=now,
        status=Status.PENDING,
    )
    registration.full_clean(exclude=["status", "activity", "consent_notice"])
    try:
        with transaction.atomic():
            locked = _lock(activity)
            state = locked.registration_state(now)
            if state != "open":
                raise RegistrationError(state, CLOSED_MESSAGES[state])
            if locked.registrations.filter(email=email, status__in=Registration.ACTIVE).exists():
                raise RegistrationError("duplicate", DUPLICATE_MESSAGE)
            if locked.requires_approval:
                registration.status = Status.PENDING
            elif _has_seat(locked):
                registration.status = Status.CONFIRMED
                registration.confirmed_at = now
            else:
                registration.status = Status.WAITING
            registration.save()
            audit_log(
                action="programme.registration.created",
                target=registration,
                data={"activity": locked.pk, "status": registration.status},
            )
            if categories and fewer_opportunities_consent:
                FewerOpportunities.objects.create(
                    registration=registration,
                    categories=categories,
                    consent_notice=consent_notice,
                    consented_at=now,
                )
                # Which categories stays out of the log: the log is read by admins.
                audit_log(action="programme.fewer_opportunities.consented", target=registration)
            transaction.on_commit(lambda: _mail_registration(registration, "registered"))
    except IntegrityError as error:
        # The partial unique index caught a simultaneous second registration of one email.
        raise RegistrationError("duplicate", DUPLICATE_MESSAGE) from error
    return registration


def clean_fewer_opportunities(categories: Sequence[str]) -> list[str]:
    """The known categories, once each, in the list's order; an unknown one is an error."""
    known = FewerOpportunities.Category.values
    if any(code not in known for code in categories):
        raise ValidationError(
            {"fewer_opportunities": _("Choose from the list.")}, code="invalid_category"
        )
    return [code for code in known if code in categories]


def fewer_opportunities_withdraw(*, registration: Registration) -> bool:
    """The participant takes back their declaration (through their private link): it is
    deleted, not hidden. False when there was none."""
    with transaction.atomic():
        deleted, _by_model = FewerOpportunities.objects.filter(registration=registration).delete()
        if deleted:
            audit_log(action="programme.fewer_opportunities.withdrawn", target=registration)
    return bool(deleted)


DUPLICATE_MESSAGE = _(
    "This email address is already registered for this activity. Use the link in your "
    "confirmation message to see or change the registration."
)


def _promote_waiting(activity: Activity, *, now: dt.datetime) -> list[Registration]:
    """Fill free seats from the head of the waiting list. Call with the activity locked."""
    promoted = []
    while _has_seat(activity):
        first = (
            activity.registrations.filter(status=Status.WAITING).order_by("created", "id").first()
        )
        if first is None:
            break
        first.status = Status.CONFIRMED
        first.confirmed_at = now
        first.save(update_fields=["status", "confirmed_at", "updated"])
        audit_log(
            action="programme.registration.promoted",
            target=first,
            data={"activity": activity.pk},
        )
        transaction.on_commit(lambda first=first: _mail_registration(first, "promoted"))
        promoted.append(first)
    return promoted


def registration_cancel(
    *, registration: Registration, actor: Any = None, now: dt.datetime | None = None
) -> Registration:
    """The person (through their link) or a coordinator cancels; a freed seat goes to the queue."""
    now = now or timezone.now()
    if actor is not None:
        require(can_manage_activity(actor, registration.activity))
    with transaction.atomic():
        activity = _lock(registration.activity)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise RegistrationError("not_active", _("This registration is already cancelled."))
        if activity.registration_state(now) == "held":
            raise RegistrationError("held", CLOSED_MESSAGES["held"])
        was_confirmed = registration.status == Status.CONFIRMED
        registration.status = Status.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated"])
        audit_log(
            action="programme.registration.cancelled",
            actor=actor,
            target=registration,
            data={"activity": activity.pk, "by": "coordinator" if actor else "participant"},
        )
        transaction.on_commit(lambda: _mail_registration(registration, "cancelled"))
        if was_confirmed:
            _promote_waiting(activity, now=now)
    return registration


def registration_update_answers(
    *, registration: Registration, answers: Mapping[str, Any], language: str | None = None
) -> Registration:
    if not registration.is_active:
        raise RegistrationError("not_active", _("This registration is already cancelled."))
    cleaned = clean_answers(activity=registration.activity, answers=answers)
    with transaction.atomic():
        registration.answers = cleaned
        if language:
            registration.language = language
        registration.save(update_fields=["answers", "language", "updated"])
        audit_log(
            action="programme.registration.answers_changed",
            target=registration,
            data={"questions": sorted(cleaned)},
        )
    return registration


def registration_decide(
    *, actor: Any, registration: Registration, approve: bool, now: dt.datetime | None = None
) -> Registration:
    """A coordinator approves (a seat, or the waiting list when full) or declines."""
    now = now or timezone.now()
    require(can_manage_activity(actor, registration.activity))
    with transaction.atomic():
        activity = _lock(registration.activity)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.PENDING:
            raise RegistrationError("decided", _("This registration was already decided."))
        if not approve:
            registration.status = Status.DECLINED
        elif _has_seat(activity):
            registration.status = Status.CONFIRMED
            registration.confirmed_at = now
        else:
            registration.status = Status.WAITING
        registration.save(update_fields=["status", "confirmed_at", "updated"])
        audit_log(
            action="programme.registration.approved"
            if approve
            else "programme.registration.declined",
            actor=actor,
            target=registration,
            data={"activity": activity.pk, "status": registration.status},
        )
        transaction.on_commit(lambda: _mail_registration(registration, "decided"))
    return registration


def activity_set_capacity(
    *, actor: Any, activity: Activity, capacity: int | None, now: dt.datetime | None = None
) -> list[Registration]:
    """Change the number of seats; raising it promotes waiting people at once."""
    now = now or timezone.now()
    require(can_manage_activity(actor, activity))
    with transaction.atomic():
        locked = _lock(activity)
        confirmed = _confirmed_count(locked)
        if capacity is not None and capacity < confirmed:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(count)d people already have a seat: cancel registrations before "
                        "lowering the seats below that."
                    )
                    % {"count": confirmed}
                }
            )
        old = locked.capacity
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated"])
        audit_log(
            action="programme.activity.capacity_changed",
            actor=actor,
            target=locked,
            data={"from": old, "to": capacity},
        )
        promoted = _promote_waiting(locked, now=now)
    activity.capacity = capacity
    return promoted


def attendance_mark(
    *, actor: Any, registration: Registration, attended: bool, now: dt.datetime | None = None
) -> Registration:
    """Attendance is the source of truth for reports and certificates."""
    now = now or timezone.now()
    require(can_manage_activity(actor, registration.activity))
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.CONFIRMED:
            raise RegistrationError(
                "not_confirmed", _("Only people with a confirmed seat can be checked in.")
            )
        if bool(registration.attended_at) == attended:
            return registration
        registration.attended_at = now if attended else None
        registration.checked_in_by = actor if attended else None
        registration.save(update_fields=["attended_at", "checked_in_by", "updated"])
        audit_log(
            action="programme.attendance.marked" if attended else "programme.attendance.unmarked",
            actor=actor,
            target=registration,
            data={"activity": registration.activity_id},
        )
    return registration


def can_manage_activity(user: Any, activity: Activity) -> bool:
    """Project admins, and coordinators of an organisation that organises the activity."""
    if is_project_admin(user):
        return True
    return any(can_manage_organisation(user, org) for org in activity.organisers.all())


def private_link_expired(registration: Registration, now: dt.datetime | None = None) -> bool:
    """A link works until KOPA_PRIVATE_LINK_DAYS after the activity (certificates come late)."""
    now = now or timezone.now()
    activity = registration.activity
    end = activity.ends_at or activity.starts_at
    if end is None:
        return False
    return now > end + dt.timedelta(days=settings.KOPA_PRIVATE_LINK_DAYS)


def _mail_registration(registration: Registration, event: str) -> None:
    from kopa.programme.mail import send_registration_mail

    send_registration_mail(registration=registration, event=event)


ACTIVITY_FIELDS = (
    "kind",
    "title",
    "theme",
    "purpose",
    "original_language",
    "status",
    "starts_at",
    "ends_at",
    "time_zone",
    "country",
    "venue",
    "address",
    "latitude",
    "longitude",
    "working_languages",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "reminder_days",
    "agenda",
)


class EditConflict(Exception):
    """Someone else saved the activity after this coordinator opened it."""


def _unique_slug(text: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(text)[:80] or "activity"
    slug, number = base, 2
    while Activity.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _require_organisers(actor: Any, organisers: list[Organisation]) -> None:
    """A coordinator may only name organisations they coordinate (admins: any)."""
    if not organisers:
        raise ValidationError({"organisers": _("Choose at least one organiser.")})
    if not is_project_admin(actor):
        require(all(can_manage_organisation(actor, org) for org in organisers))


def activity_create(
    *,
    actor: Any,
    project: Project,
    organisers: list[Organisation],
    target_groups: list[TargetGroup] | None = None,
    **fields: Any,
) -> Activity:
    _require_organisers(actor, organisers)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    activity = Activity(project=project, **fields)
    title = activity.title
    activity.slug = _unique_slug(title.get("en") or title.text)
    _set_plan_from_dates(activity)
    activity.full_clean()
    with transaction.atomic():
        activity.save()
        activity.organisers.set(organisers)
        activity.target_groups.set(target_groups or [])
        audit_log(action="programme.activity.created", actor=actor, target=activity)
    return activity


def _set_plan_from_dates(activity: Activity) -> None:
    """A dated activity's plan is its date, unless it was planned less precisely before."""
    if activity.starts_at and not activity.planned_start:
        local = activity.local_start().date()
        activity.planned_start = activity.planned_end = local
        activity.planned_precision = Activity.Precision.DAY


def activity_update(
    *,
    actor: Any,
    activity: Activity,
    expected_version: int,
    organisers: list[Organisation],
    target_groups: list[TargetGroup],
    **fields: Any,
) -> Activity:
    require(can_manage_activity(actor, activity))
    if set(organisers) != set(activity.organisers.all()):
        _require_organisers(actor, organisers)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown activity fields: {sorted(unknown)}")
    if fields.get("status") == Activity.Status.CANCELLED != activity.status:
        raise ValidationError({"status": _("Cancel an activity with its Cancel button.")})
    with transaction.atomic():
        locked = _lock(activity)
        if locked.version != expected_version:
            raise EditConflict
        confirmed = _confirmed_count(locked)
        capacity = fields.get("capacity", locked.capacity)
        if capacity is not None and capacity < confirmed:
            raise ValidationError(
                {"capacity": _("%(count)d people already have a seat.") % {"count": confirmed}}
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        _set_plan_from_dates(locked)
        locked.full_clean()
        locked.version += 1
        locked.save()
        locked.organisers.set(organisers)
        locked.target_groups.set(target_groups)
        audit_log(
            action="programme.activity.updated",
            actor=actor,
            target=locked,
            data={"fields": sorted(fields), "version": locked.version},
        )
        _promote_waiting(locked, now=timezone.now())
    return locked


def activity_duplicate(*, actor: Any, activity: Activity, years: int = 1) -> Activity:
    """Next year's edition: same texts, organisers and questions; dates a year on; planned."""
    require(can_manage_activity(actor, activity))

    def shift(value: Any) -> Any:
        if value is None:
            return None
        try:
            return value.replace(year=value.year + years)
        except ValueError:  # 29 February
            return value.replace(year=value.year + years, day=28)

    with transaction.atomic():
        copy = Activity.objects.get(pk=activity.pk)
        copy.pk = None
        copy.id = None
        copy._state.adding = True
        copy.status = Activity.Status.PLANNED
        copy.version = 1
        for name in (
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "planned_start",
            "planned_end",
        ):
            setattr(copy, name, shift(getattr(activity, name)))
        year = (copy.starts_at or copy.planned_start).year
        copy.slug = _unique_slug(f"{activity.slug.rsplit('-20', 1)[0]}-{year}")
        copy.agenda = {}
        copy.is_demo = activity.is_demo
        copy.save()
        copy.organisers.set(activity.organisers.all())
        copy.target_groups.set(activity.target_groups.all())
        for question in activity.questions.all():
            question.pk = None
            question.activity = copy
            question.save()
        audit_log(
            action="programme.activity.duplicated",
            actor=actor,
            target=copy,
            data={"from": activity.pk},
        )
    return copy


def activity_cancel(*, actor: Any, activity: Activity, now: dt.datetime | None = None) -> int:
    """Cancel the activity and every registration; each person is told in their language."""
    now = now or timezone.now()
    require(can_manage_activity(actor, activity))
    with transaction.atomic():
        locked = _lock(activity)
        if locked.status == Activity.Status.CANCELLED:
            raise RegistrationError("cancelled", CLOSED_MESSAGES["cancelled"])
        if locked.status == Activity.Status.HELD:
            raise RegistrationError("held", CLOSED_MESSAGES["held"])
        locked.status = Activity.Status.CANCELLED
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated"])
        affected = list(locked.registrations.filter(status__in=Registration.ACTIVE))
        Registration.objects.filter(pk__in=[r.pk for r in affected]).update(
            status=Status.CANCELLED, cancelled_at=now, updated=now
        )
        audit_log(
            action="programme.activity.cancelled",
            actor=actor,
            target=locked,
            data={"registrations_cancelled": len(affected)},
        )
        for registration in affected:
            transaction.on_commit(
                lambda r=registration: _mail_registration(r, "activity_cancelled")
            )
    activity.status = Activity.Status.CANCELLED
    return len(affected)


def question_save(*, actor: Any, activity: Activity, question: Question) -> Question:
    require(can_manage_activity(actor, activity))
    question.activity = activity
    if question.pk is None:
        question.position = activity.questions.count()
        question.original_language = question.original_language or activity.original_language
    question.full_clean()
    with transaction.atomic():
        question.save()
        audit_log(action="programme.question.saved", actor=actor, target=question)
    return question


def question_delete(*, actor: Any, question: Question) -> None:
    require(can_manage_activity(actor, question.activity))
    with transaction.atomic():
        audit_log(
            action="programme.question.deleted",
            actor=actor,
            target=question.activity,
            data={"question": question.pk},
        )
        question.delete()


def registrations_viewed(*, actor: Any, activity: Activity, purpose: str) -> None:
    """Every look at or export of a participant list is in the audit log."""
    require(can_manage_activity(actor, activity))
    with transaction.atomic():
        audit_log(
            action=f"programme.registrations.{purpose}",
            actor=actor,
            target=activity,
        )


def reminders_due(*, now: dt.datetime) -> QuerySet[Registration]:
    """Confirmed seats whose activity starts within its reminder window and who got none yet."""
    return (
        Registration.objects.filter(
            status=Status.CONFIRMED,
            reminded_at__isnull=True,
            activity__reminder_days__gt=0,
            activity__starts_at__gt=now,
            activity__status__in=[Activity.Status.OPEN, Activity.Status.PLANNED],
        )
        .select_related("activity")
        .order_by("activity__starts_at", "id")
    )


def reminder_send(*, registration: Registration, now: dt.datetime) -> bool:
    """Mark and send one reminder; False when it was already sent or is not due (idempotent)."""
    window = dt.timedelta(days=registration.activity.reminder_days)
    with transaction.atomic():
        updated = Registration.objects.filter(
            pk=registration.pk,
            reminded_at__isnull=True,
            status=Status.CONFIRMED,
            activity__starts_at__lte=now + window,
        ).update(reminded_at=now)
        if not updated:
            return False
        audit_log(action="programme.registration.reminded", target=registration)
        transaction.on_commit(lambda: _mail_registration(registration, "reminder"))
    return True
