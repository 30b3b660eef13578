"""Printable documents of an activity: the attendance sheet and certificates of participation.

WeasyPrint turns Django templates into PDF. The fonts are the app's own static files (DejaVu
Sans), loaded by `@font-face` from disk, so a machine without any font package still renders
Latvian, Estonian, Ukrainian and Russian. The URL fetcher opens nothing but those font files and
`data:` URIs (the QR codes): no text in a document can make the renderer read another file or
reach the network.

Texts follow the active language (the URL's); translatable fields keep their fallback `lang`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kopa.core.countries import country_name
from kopa.programme.models import Activity, Registration

STATIC_DIR = Path(__file__).resolve().parent / "static"
FONT_DIR = STATIC_DIR / "programme" / "fonts"
STYLESHEET = "programme/pdf/pdf.css"
CERTIFICATE_SALT = "kopa.programme.certificate"


# Rendering -----------------------------------------------------------------------------------


@functools.cache
def _fetcher_class() -> type:
    # WeasyPrint is imported on first use: it costs a second and 40 MB, and every process that
    # loads the URLs (each web worker, each management command) would pay it at start.
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        """Fetches the vendored fonts and data: URIs; refuses everything else, loudly."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if not path.is_relative_to(FONT_DIR):
                    raise ValueError(f"PDF documents read no file outside {FONT_DIR}: {url}")
            return super().fetch(url, headers)

    return LocalFetcher


def local_fetcher() -> Any:
    return _fetcher_class()()


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """A template rendered to PDF bytes with the shared stylesheet and the vendored fonts."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    base_url = STATIC_DIR.as_uri() + "/"
    fetcher = local_fetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(
        string=render_to_string(STYLESHEET),
        base_url=base_url,
        url_fetcher=fetcher,
        font_config=fonts,
    )
    html = HTML(
        string=render_to_string(template_name, context), base_url=base_url, url_fetcher=fetcher
    )
    # Tagged PDF/UA: headings, table structure, language and the QR codes' alt text reach
    # screen readers.
    return html.write_pdf(stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1")


def qr_svg_data_uri(url: str) -> str:
    """A QR code for `url` as an SVG data: URI, for an <img> in a PDF (sized by CSS)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def css_string(text: str) -> str:
    """Text as a quoted CSS string; safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")
    return '"' + escaped.replace("<", "\\3c ").replace(">", "\\3e ") + '"'


def css_counter_content(text: str) -> SafeString:
    """A translated "Page %(page)s of %(pages)s" as a CSS `content` value with page counters."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", text):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return mark_safe(" ".join(parts) or '""')  # noqa: S308 - every piece is escaped above


def attachment_filename(stem: str) -> str:
    """An ASCII-only file name: anything but letters, digits, dot, dash and underscore goes."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return (re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-.") or "document") + ".pdf"


# Dates and hours -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """When an activity took place, in its venue's time zone and the active language."""

    dates: str
    times: str
    duration: str


def duration_text(delta: dt.timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}


def activity_period(activity: Activity) -> Period:
    start, end = activity.local_start(), activity.local_end()
    if start is None:
        return Period(dates=activity.when(), times="", duration="")
    if end is None:
        return Period(dates=date_format(start, "DATE_FORMAT"), times=f"{start:%H:%M}", duration="")
    if start.date() == end.date():
        return Period(
            dates=date_format(start, "DATE_FORMAT"),
            times=f"{start:%H:%M}–{end:%H:%M}",
            duration=duration_text(end - start),
        )
    days = (end.date() - start.date()).days + 1
    return Period(
        dates="{}, {:%H:%M} – {}, {:%H:%M}".format(
            date_format(start, "DATE_FORMAT"), start, date_format(end, "DATE_FORMAT"), end
        ),
        times="",
        duration=ngettext("%(count)d day", "%(count)d days", days) % {"count": days},
    )


# Addresses -----------------------------------------------------------------------------------


def activity_url(activity: Activity) -> str:
    """The activity's public page in the active language, absolute (a printed page has no host)."""
    return settings.KOPA_BASE_URL + reverse("programme:activity", kwargs={"slug": activity.slug})


def certificate_code(registration: Registration) -> str:
    return signing.Signer(salt=CERTIFICATE_SALT).sign(registration.public_id.hex)


def registration_from_certificate_code(code: str) -> Registration | None:
    """The attended registration a genuine code names; None for a forged, unknown or revoked one."""
    if not code or len(code) > 120:
        return None
    try:
        public_id = signing.Signer(salt=CERTIFICATE_SALT).unsign(code)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("activity")
        .filter(public_id=public_id, attended_at__isnull=False)
        .first()
    )


def certificate_verify_url(registration: Registration) -> str:
    path = reverse("programme:certificate_verify", kwargs={"code": certificate_code(registration)})
    return settings.KOPA_BASE_URL + path


# The documents -------------------------------------------------------------------------------


def _sort_key(name: str) -> tuple[str, str]:
    """Names in alphabetical order whatever their accents: Ābele beside Abele, before Bērziņa."""
    base = "".join(
        char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)
    )
    return (base.casefold(), name.casefold())


@dataclass(frozen=True)
class SheetRow:
    number: int
    name: str
    organisation: str
    country: str
    attended_at: str  # HH:MM in the venue's zone, or "" when not yet


def attendance_rows(activity: Activity) -> list[SheetRow]:
    registrations = sorted(
        activity.registrations.filter(status=Registration.Status.CONFIRMED),
        key=lambda registration: (*_sort_key(registration.name), registration.pk),
    )
    zone = activity.zone()
    return [
        SheetRow(
            number=number,
            name=registration.name,
            organisation=registration.organisation_name,
            country=country_name(registration.country),
            attended_at=""
            if registration.attended_at is None
            else f"{registration.attended_at.astimezone(zone):%H:%M}",
        )
        for number, registration in enumerate(registrations, start=1)
    ]


def _organisers(activity: Activity) -> list[Any]:
    return list(activity.organisers.all())


def attendance_sheet_pdf(activity: Activity) -> bytes:
    """A4 list of the confirmed people, to tick and sign on the day."""
    rows = attendance_rows(activity)
    url = activity_url(activity)
    count_text = ngettext(
        "%(count)d confirmed participant", "%(count)d confirmed participants", len(rows)
    ) % {"count": len(rows)}
    return render_pdf(
        "programme/pdf/attendance_sheet.html",
        {
            "activity": activity,
            "period": activity_period(activity),
            "organisers": _organisers(activity),
            "rows": rows,
            "activity_url": url,
            "qr": qr_svg_data_uri(url),
            "page_counter": css_counter_content(_("Page %(page)s of %(pages)s")),
            "count_footer": mark_safe(css_string(count_text)),  # noqa: S308 - css_string escapes
            "count_text": count_text,
        },
    )


def certificate_pdf(registration: Registration) -> bytes:
    """A4 landscape certificate of participation; only for recorded attendance."""
    if registration.attended_at is None:
        raise ValueError("A certificate needs recorded attendance.")
    activity = registration.activity
    verify_url = certificate_verify_url(registration)
    return render_pdf(
        "programme/pdf/certificate.html",
        {
            "registration": registration,
            "activity": activity,
            "project": activity.project,
            "period": activity_period(activity),
            "organisers": _organisers(activity),
            "verify_url": verify_url,
            "qr": qr_svg_data_uri(verify_url),
        },
    )
