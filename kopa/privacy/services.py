"""A person's right to see and erase what the platform holds on them (docs/privacy.md).

The flow: someone gives an email address; the platform records a DataRequest and mails a link
to that address, whatever it holds (the answer never says whether the address is known). The
link is signed, valid for LINK_HOURS, and single-use: the first browser that opens it may use it
for ACCESS_MINUTES (to read, download, erase); anyone else who opens it later is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from kopa.accounts.models import User
from kopa.core.audit import audit_log
from kopa.core.mail import send_templated_mail
from kopa.privacy.models import DataRequest
from kopa.privacy.registry import erasure_order, providers

LINK_HOURS = 24
ACCESS_MINUTES = 60
TOKEN_SALT = "kopa.privacy.data-request"  # noqa: S105 (a signing salt, not a secret)
SESSION_KEY = "kopa_privacy_grants"


class LinkRefused(Exception):
    """The link cannot be used; `status` is the HTTP answer, `message` the person's reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status, self.message = REFUSALS[code]


REFUSALS: dict[str, tuple[int, Any]] = {
    "invalid": (
        400,
        _("This link is not valid. Copy the whole link from the message, or ask again."),
    ),
    "expired": (410, _("This link has expired. Ask again for a new link: it takes a minute.")),
    "used": (
        410,
        _(
            "This link has already been used. Each link opens once, in one browser; ask again "
            "for a new link."
        ),
    ),
    "erased": (
        410,
        _("The data this link showed has been erased. There is nothing left to show."),
    ),
}


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- asking -------------------------------------------------------------------------------------


def token_for(data_request: DataRequest) -> str:
    return signing.Signer(salt=TOKEN_SALT).sign(data_request.public_id.hex)


def access_path(data_request: DataRequest, language: str | None = None) -> str:
    with override(language or data_request.language):
        return reverse("privacy:data", kwargs={"token": token_for(data_request)})


def data_request_create(
    *, email: str, language: str, now: dt.datetime | None = None
) -> DataRequest:
    """Record the request and mail the link after commit. It is the same for every address:
    nothing is looked up, so neither the answer nor its timing tells whether the address is
    known."""
    now = now or timezone.now()
    with transaction.atomic():
        data_request = DataRequest.objects.create(
            email=normalise_email(email),
            language=language,
            created=now,
            expires_at=now + dt.timedelta(hours=LINK_HOURS),
        )
        audit_log(action="privacy.request.created", target=data_request)
        transaction.on_commit(lambda: _mail_link(data_request))
    return data_request


def _mail_link(data_request: DataRequest) -> None:
    send_templated_mail(
        template="privacy/mail/link",
        to=data_request.email,
        language=data_request.language,
        context={
            "url": settings.KOPA_BASE_URL + access_path(data_request),
            "hours": LINK_HOURS,
        },
    )


# --- opening the link ---------------------------------------------------------------------------


def data_request_from_token(token: str) -> DataRequest:
    """The request a genuine link names; raises LinkRefused for a forged or unknown one."""
    if not token or len(token) > 120:
        raise LinkRefused("invalid")
    try:
        value = signing.Signer(salt=TOKEN_SALT).unsign(token)
        public_id = uuid.UUID(hex=value)
    except (signing.BadSignature, ValueError):
        raise LinkRefused("invalid") from None
    data_request = DataRequest.objects.filter(public_id=public_id).first()
    if data_request is None:
        # Genuine, but removed after it expired (retention): the same as expired.
        raise LinkRefused("expired")
    return data_request


def data_request_use(
    *, data_request: DataRequest, grants: list[str], now: dt.datetime | None = None
) -> DataRequest:
    """Let this browser use the link, or raise LinkRefused. `grants` are the requests this
    browser has opened (kept in its session); the first opening adds to it."""
    now = now or timezone.now()
    key = data_request.public_id.hex
    if data_request.erased_at is not None:
        raise LinkRefused("erased")
    if data_request.opened_at is not None:
        if key not in grants:
            raise LinkRefused("used")
        if now > data_request.opened_at + dt.timedelta(minutes=ACCESS_MINUTES):
            raise LinkRefused("expired")
        return data_request
    if now > data_request.expires_at:
        raise LinkRefused("expired")
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=data_request.pk)
        if locked.opened_at is not None:
            raise LinkRefused("used")  # another browser opened it a moment ago
        locked.opened_at = now
        locked.save(update_fields=["opened_at"])
        audit_log(action="privacy.request.opened", target=locked)
    grants.append(key)
    return locked


# --- what the platform holds --------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A provider's value as plain JSON in the active language: lazy texts, dates, ids."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, str):
        return str(value)  # a TranslatedText becomes its text
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    return str(value)


@dataclass
class Section:
    title: str
    records: list[dict[str, Any]]


@dataclass
class Domain:
    app_label: str
    title: str
    sections: list[Section] = field(default_factory=list)


@dataclass
class Holdings:
    email: str
    generated: dt.datetime
    language: str
    domains: list[Domain]

    @property
    def only_requests(self) -> bool:
        """Nothing is held but the requests for this very data (kept briefly, see retention)."""
        return not any(domain.sections for domain in self.domains if domain.app_label != "privacy")

    def as_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "generated": plain(self.generated),
            "language": self.language,
            "site": settings.KOPA_SITE_NAME,
            "domains": [
                {
                    "app": domain.app_label,
                    "title": domain.title,
                    "sections": [
                        {"title": section.title, "records": section.records}
                        for section in domain.sections
                    ],
                }
                for domain in self.domains
            ],
        }


def _account(email: str) -> User | None:
    return User.objects.filter(email__iexact=normalise_email(email)).first()


def personal_data_collect(*, email: str, language: str) -> Holdings:
    """Everything every domain holds on the person, in `language`, as plain values."""
    email = normalise_email(email)
    user = _account(email)
    domains = []
    with override(language):
        for provider in providers():
            sections = provider.personal_data(email=email, user=user)
            domains.append(
                Domain(
                    app_label=provider.app_label,
                    title=str(provider.title),
                    sections=[
                        Section(title=str(title), records=plain(records))
                        for title, records in sections.items()
                        if records
                    ],
                )
            )
    return Holdings(email=email, generated=timezone.now(), language=language, domains=domains)


def personal_data_zip(holdings: Holdings) -> bytes:
    """data.json and the same as a page to read (data.html), in one ZIP file."""
    with override(holdings.language):
        page = render_to_string(
            "privacy/bundle.html",
            {"holdings": holdings, "site_name": settings.KOPA_SITE_NAME},
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(holdings.as_json(), ensure_ascii=False, indent=2) + "\n"
        )
        archive.writestr("data.html", page)
    return buffer.getvalue()


def personal_data_downloaded(*, data_request: DataRequest | None, via: str) -> None:
    """Audit that someone took a copy: through their link, or an admin for them."""
    with transaction.atomic():
        audit_log(action="privacy.data.exported", target=data_request, data={"via": via})


# --- erasure ------------------------------------------------------------------------------------


def personal_data_erase(*, email: str, via: str) -> dict[str, int]:
    """Erase the person in every domain, in one transaction: all of it or nothing.

    Audited as `privacy.erased` without target or actor: the entry says that a person was
    erased and how many records each domain changed, never who.
    """
    email = normalise_email(email)
    counts: dict[str, int] = {}
    with transaction.atomic():
        user = _account(email)
        if user is not None:
            user = User.objects.select_for_update().get(pk=user.pk)
        for provider in erasure_order():
            # A fresh copy each: a provider may change the account it is given.
            current = User.objects.get(pk=user.pk) if user is not None else None
            for label, count in provider.erase_personal_data(email=email, user=current).items():
                counts[label] = counts.get(label, 0) + int(count)
        audit_log(action="privacy.erased", data={"via": via, "counts": counts})
    return counts
