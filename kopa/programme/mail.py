"""Mail to registered people, always in the language they registered in."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from kopa.core.mail import send_templated_mail
from kopa.programme.calendar import calendar_bytes
from kopa.programme.links import checkin_token, private_path
from kopa.programme.models import Registration


def checkin_url(registration: Registration) -> str:
    with override(registration.language):
        path = reverse("programme:checkin_scan", kwargs={"token": checkin_token(registration)})
    return settings.KOPA_BASE_URL + path


def checkin_qr_png(registration: Registration) -> bytes:
    buffer = io.BytesIO()
    segno.make(checkin_url(registration), error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def send_registration_mail(*, registration: Registration, event: str) -> None:
    """event: registered, promoted, decided, cancelled, reminder or activity_cancelled."""
    registration.refresh_from_db()
    activity = registration.activity
    attachments = []
    if registration.status == Registration.Status.CONFIRMED and event != "activity_cancelled":
        if activity.starts_at:
            with override(registration.language):
                ics = calendar_bytes(
                    [activity], base_url=settings.KOPA_BASE_URL, name=str(activity.title)
                )
            attachments.append((f"{activity.slug}.ics", ics, "text/calendar"))
        attachments.append(("check-in.png", checkin_qr_png(registration), "image/png"))
    send_templated_mail(
        template="programme/mail/registration",
        to=registration.email,
        language=registration.language,
        context={
            "event": event,
            "registration": registration,
            "activity": activity,
            "private_url": settings.KOPA_BASE_URL + private_path(registration),
            "waiting_position": waiting_position(registration),
        },
        attachments=attachments,
    )


def waiting_position(registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITING:
        return None
    return (
        Registration.objects.filter(
            activity=registration.activity,
            status=Registration.Status.WAITING,
            created__lte=registration.created,
        )
        .exclude(created=registration.created, id__gt=registration.id)
        .count()
    )
