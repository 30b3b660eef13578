"""Public pages that compose several domains: the home page and the organisations."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kopa.accounts import selectors as accounts_selectors
from kopa.accounts.models import Organisation
from kopa.accounts.permissions import can_manage_organisation
from kopa.core.cache import cache_public_page
from kopa.core.models import PrivacyNotice
from kopa.programme import selectors as programme_selectors


@cache_public_page()
def home(request: HttpRequest) -> HttpResponse:
    project = programme_selectors.project_current()
    plan = list(programme_selectors.activity_plan(project=project)) if project else []
    return render(
        request,
        "site/home.html",
        {
            "project": project,
            "plan": plan,
            "held_count": sum(1 for activity in plan if activity.is_held),
            "upcoming": programme_selectors.activities_upcoming(exclude_project=project)[:6],
        },
    )


def privacy(request: HttpRequest) -> HttpResponse:
    notice = PrivacyNotice.objects.order_by("-version").first()
    return render(request, "site/privacy.html", {"notice": notice})


def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "site/organisation_list.html",
        {"organisations": accounts_selectors.organisation_list()},
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    return render(
        request,
        "site/organisation_detail.html",
        {
            "organisation": organisation,
            "partnerships": programme_selectors.organisation_partnerships(
                organisation=organisation
            ),
            "activities": programme_selectors.activities_organised_by(organisation=organisation),
            "can_manage": can_manage_organisation(request.user, organisation),
        },
    )
