from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.core.models import AuditEntry
from kopa.programme import services
from kopa.programme.models import Activity, Question, Registration
from kopa.programme.tests.factories import make_activity, make_question, registration_data

pytestmark = pytest.mark.django_db
Status = Registration.Status


def register(activity: Activity, **fields) -> Registration:
    return services.registration_create(activity=activity, **registration_data(**fields))


def test_it_gives_seats_until_they_run_out_then_queues(django_capture_on_commit_callbacks):
    activity = make_activity(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [register(activity).status for _i in range(4)]
    assert statuses == [Status.CONFIRMED, Status.CONFIRMED, Status.WAITING, Status.WAITING]
    assert len(mail.outbox) == 4
    assert mail.outbox[0].extra_headers["Content-Language"] == "uk"


def test_it_puts_the_31st_registrant_on_the_waiting_list():
    activity = make_activity(capacity=30)
    for _i in range(30):
        register(activity)
    assert register(activity).status == Status.WAITING
    assert activity.registrations.filter(status=Status.CONFIRMED).count() == 30


def test_an_activity_without_a_limit_confirms_everyone():
    activity = make_activity(capacity=None)
    assert all(register(activity).status == Status.CONFIRMED for _i in range(5))


def test_a_cancelled_seat_goes_to_the_first_in_the_queue(django_capture_on_commit_callbacks):
    activity = make_activity(capacity=1)
    seated = register(activity)
    first = register(activity)
    second = register(activity)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=seated)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.CONFIRMED
    assert first.confirmed_at is not None
    assert second.status == Status.WAITING
    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2  # the cancellation, and the promotion
    promoted = next(m for m in mail.outbox if m.to == [first.email])
    assert promoted.attachments  # the calendar file and the check-in code
    assert AuditEntry.objects.filter(action="programme.registration.promoted").count() == 1


def test_raising_the_capacity_promotes_the_waiting_list():
    activity = make_activity(capacity=1)
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    register(activity)
    waiting = [register(activity) for _i in range(3)]
    promoted = services.activity_set_capacity(actor=coordinator, activity=activity, capacity=3)
    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    assert activity.registrations.filter(status=Status.WAITING).get().pk == waiting[2].pk


def test_seats_cannot_drop_below_the_confirmed_count():
    activity = make_activity(capacity=3)
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    register(activity)
    register(activity)
    with pytest.raises(ValidationError):
        services.activity_set_capacity(actor=coordinator, activity=activity, capacity=1)
    activity.refresh_from_db()
    assert activity.capacity == 3


def test_only_the_organisers_coordinators_change_seats():
    activity = make_activity()
    outsider = make_member(make_organisation(), Membership.Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.activity_set_capacity(actor=outsider, activity=activity, capacity=10)


def test_one_email_holds_one_place_whatever_its_case():
    activity = make_activity()
    register(activity, email="olena@example.org")
    with pytest.raises(services.RegistrationError) as error:
        register(activity, email=" Olena@Example.ORG ")
    assert error.value.code == "duplicate"
    assert activity.registrations.count() == 1


def test_after_cancelling_the_same_email_may_register_again():
    activity = make_activity()
    registration = register(activity, email="olena@example.org")
    services.registration_cancel(registration=registration)
    assert register(activity, email="olena@example.org").status == Status.CONFIRMED


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": Activity.Status.PLANNED}, "not_open"),
        ({"status": Activity.Status.CANCELLED}, "cancelled"),
        ({"status": Activity.Status.HELD}, "held"),
        ({"registration_closes_at": timezone.now() - dt.timedelta(minutes=1)}, "closed"),
        ({"registration_opens_at": timezone.now() + dt.timedelta(days=1)}, "not_open"),
        ({"starts_at": timezone.now() - dt.timedelta(hours=1)}, "closed"),
    ],
)
def test_it_refuses_when_registration_is_not_open(changes, code):
    activity = make_activity(**changes)
    with pytest.raises(services.RegistrationError) as error:
        register(activity)
    assert error.value.code == code
    assert str(error.value.message)
    assert not Registration.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_malformed_email_is_refused_without_a_record():
    activity = make_activity()
    with pytest.raises(ValidationError):
        register(activity, email="not an email")
    assert not Registration.objects.exists()


def test_required_answers_are_checked_and_stored():
    activity = make_activity()
    diet = make_question(
        activity,
        kind=Question.Kind.CHOICE,
        required=True,
        choices={"en": "Vegetarian\nVegan\nNo needs", "lv": "Veģetārs\nVegāns\nNav"},
    )
    interpreter = make_question(activity, kind=Question.Kind.YES_NO, label={"en": "Interpreter?"})
    with pytest.raises(ValidationError) as error:
        register(activity, answers={})
    assert str(diet.pk) in error.value.message_dict
    with pytest.raises(ValidationError):
        register(activity, answers={str(diet.pk): "7"})
    registration = register(activity, answers={str(diet.pk): "1", str(interpreter.pk): "yes"})
    assert registration.answers == {str(diet.pk): 1, str(interpreter.pk): True}


def test_approval_first_activities_wait_for_a_coordinator(django_capture_on_commit_callbacks):
    activity = make_activity(requires_approval=True, capacity=1)
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    first = register(activity)
    second = register(activity)
    third = register(activity)
    assert {first.status, second.status, third.status} == {Status.PENDING}
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_decide(actor=coordinator, registration=first, approve=True)
        services.registration_decide(actor=coordinator, registration=second, approve=True)
        services.registration_decide(actor=coordinator, registration=third, approve=False)
    assert Registration.objects.get(pk=first.pk).status == Status.CONFIRMED
    assert Registration.objects.get(pk=second.pk).status == Status.WAITING
    assert Registration.objects.get(pk=third.pk).status == Status.DECLINED
    assert len(mail.outbox) == 3
    with pytest.raises(services.RegistrationError):
        services.registration_decide(actor=coordinator, registration=first, approve=False)


def test_attendance_is_marked_by_the_organisers_coordinator_for_confirmed_seats_only():
    activity = make_activity(capacity=1)
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    seated = register(activity)
    waiting = register(activity)
    services.attendance_mark(actor=coordinator, registration=seated, attended=True)
    seated.refresh_from_db()
    assert seated.attended_at is not None
    assert seated.checked_in_by == coordinator
    with pytest.raises(services.RegistrationError):
        services.attendance_mark(actor=coordinator, registration=waiting, attended=True)
    editor = make_member(activity.organisers.get(), Membership.Role.EDITOR)
    with pytest.raises(PermissionDenied):
        services.attendance_mark(actor=editor, registration=seated, attended=False)


def test_cancelling_twice_is_refused():
    activity = make_activity()
    registration = register(activity)
    services.registration_cancel(registration=registration)
    with pytest.raises(services.RegistrationError):
        services.registration_cancel(registration=registration)


def test_reminders_go_out_once_within_the_window(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    soon = make_activity(starts_at=timezone.now() + dt.timedelta(days=1), reminder_days=2)
    later = make_activity(starts_at=timezone.now() + dt.timedelta(days=20), reminder_days=2)
    silent = make_activity(starts_at=timezone.now() + dt.timedelta(days=1), reminder_days=0)
    due = register(soon, language="lv")
    register(later)
    register(silent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=io.StringIO())
        call_command("send_reminders", stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [[due.email]]
    assert mail.outbox[0].extra_headers["Content-Language"] == "lv"


def test_cancelling_an_activity_tells_everyone_in_their_language(
    django_capture_on_commit_callbacks,
):
    activity = make_activity(capacity=1)
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    seated = register(activity, language="et")
    waiting = register(activity, language="ru")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        count = services.activity_cancel(actor=coordinator, activity=activity)
    assert count == 2
    assert {m.extra_headers["Content-Language"] for m in mail.outbox} == {"et", "ru"}
    assert {r.status for r in Registration.objects.filter(pk__in=[seated.pk, waiting.pk])} == {
        Status.CANCELLED
    }
    with pytest.raises(services.RegistrationError):
        services.activity_cancel(actor=coordinator, activity=activity)


def test_duplicating_makes_next_years_planned_edition_with_the_questions():
    activity = make_activity(slug="ceramics-2026")
    make_question(activity)
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    register(activity)
    copy = services.activity_duplicate(actor=coordinator, activity=activity)
    assert copy.pk != activity.pk
    assert copy.status == Activity.Status.PLANNED
    assert copy.starts_at.year == activity.starts_at.year + 1
    assert copy.slug == f"ceramics-{copy.starts_at.year}"
    assert copy.questions.count() == 1
    assert copy.registrations.count() == 0
    assert list(copy.organisers.all()) == list(activity.organisers.all())


def test_two_coordinators_saving_one_activity_the_second_is_refused():
    activity = make_activity()
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    fields = {name: getattr(activity, name) for name in services.ACTIVITY_FIELDS}
    common = {
        "actor": coordinator,
        "organisers": list(activity.organisers.all()),
        "target_groups": [],
        "expected_version": 1,
    }
    services.activity_update(activity=activity, **common, **{**fields, "capacity": 10})
    with pytest.raises(services.EditConflict):
        services.activity_update(activity=activity, **common, **{**fields, "capacity": 20})
    activity.refresh_from_db()
    assert activity.capacity == 10
