"""This domain's pages for the browser and accessibility tests (see tests/browser/conftest.py)."""

from __future__ import annotations

from tests.browser.site_pages import Placeholder, SitePage

PAGES: list[SitePage] = [
    SitePage("my-data", "/my-data/"),
    SitePage("my-data-sent", "/my-data/sent/"),
    SitePage("my-data-page", "/my-data/access/{privacy_link}/"),
    SitePage("my-data-erase", "/my-data/access/{privacy_link}/erase/"),
    SitePage("my-data-refused", "/my-data/access/not-a-link/", status=400),
    SitePage("privacy-notice-version", "/my-data/notices/1/"),
]


def privacy_link(organisation_slug: str) -> str:
    """The token of a fresh request for the data of the organisation's demo coordinator, who
    is also registered for one of its activities, so the page shows several domains."""
    from django.db import transaction

    from kopa.accounts.models import Membership
    from kopa.core.models import PrivacyNotice
    from kopa.privacy.services import data_request_create, token_for
    from kopa.programme import services as programme_services
    from kopa.programme.models import Activity

    email = (
        Membership.objects.filter(organisation__slug=organisation_slug, role="coordinator")
        .values_list("user__email", flat=True)
        .order_by("user__email")
        .first()
    )
    activity = (
        Activity.objects.filter(organisers__slug=organisation_slug, status="open")
        .order_by("starts_at")
        .first()
    )
    if activity is not None and not activity.registrations.filter(email=email).exists():
        programme_services.registration_create(
            activity=activity,
            name="Demo Coordinator",
            email=email,
            country="LV",
            language="lv",
            consent_notice=PrivacyNotice.objects.order_by("-version").first(),
        )
    with transaction.atomic():
        return token_for(data_request_create(email=email, language="en"))


PLACEHOLDERS: dict[str, Placeholder] = {"privacy_link": privacy_link}
