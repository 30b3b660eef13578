"""The person's own pages: ask for a link, see what is held, download it, erase it."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from kopa.core import ratelimit
from kopa.core.cache import cache_public_page
from kopa.core.models import PrivacyNotice
from kopa.privacy import services
from kopa.privacy.forms import DataRequestForm, EraseForm
from kopa.privacy.models import DataRequest

# Per client address: enough for typos, too few to mail-bomb through the site.
REQUESTS_PER_ADDRESS = 5
# Per email address: more requests for one mailbox are answered the same way but not mailed.
REQUESTS_PER_EMAIL = 3
PERIOD = 60 * 60


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request: HttpRequest) -> HttpResponse:
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(
            scope="privacy.request",
            key=ratelimit.client_key(request),
            limit=REQUESTS_PER_ADDRESS,
            period=PERIOD,
        ):
            form.add_error(
                None, _("Too many requests from here in a short time. Please try again in an hour.")
            )
            return render(request, "privacy/request.html", {"form": form}, status=429)
        email = services.normalise_email(form.cleaned_data["email"])
        mailbox = "email:" + hashlib.sha256(email.encode()).hexdigest()[:32]
        if ratelimit.allow(
            scope="privacy.request.email", key=mailbox, limit=REQUESTS_PER_EMAIL, period=PERIOD
        ):
            services.data_request_create(email=email, language=get_language())
        return redirect("privacy:sent")
    return render(request, "privacy/request.html", {"form": form})


@cache_public_page()
@require_safe
def request_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/sent.html", {"hours": services.LINK_HOURS})


def _use(request: HttpRequest, token: str) -> DataRequest | HttpResponse:
    """The request this browser may use, or the page that says why not.

    A HEAD request (link checkers, some mail scanners) learns only whether the link is genuine:
    it must not use up the person's single opening.
    """
    try:
        data_request = services.data_request_from_token(token)
        if request.method == "HEAD":
            return HttpResponse()
        grants = list(request.session.get(services.SESSION_KEY, []))
        data_request = services.data_request_use(data_request=data_request, grants=grants)
    except services.LinkRefused as refusal:
        return render(request, "privacy/refused.html", {"refusal": refusal}, status=refusal.status)
    request.session[services.SESSION_KEY] = grants
    return data_request


@never_cache
@require_safe
def data_page(request: HttpRequest, token: str) -> HttpResponse:
    data_request = _use(request, token)
    if isinstance(data_request, HttpResponse):
        return data_request
    holdings = services.personal_data_collect(email=data_request.email, language=get_language())
    return render(
        request,
        "privacy/data.html",
        {
            "holdings": holdings,
            "token": token,
            "access_until": data_request.opened_at + dt.timedelta(minutes=services.ACCESS_MINUTES),
        },
    )


@never_cache
@require_safe
def download(request: HttpRequest, token: str) -> HttpResponse:
    data_request = _use(request, token)
    if isinstance(data_request, HttpResponse):
        return data_request
    holdings = services.personal_data_collect(email=data_request.email, language=get_language())
    body = services.personal_data_zip(holdings)
    services.personal_data_downloaded(data_request=data_request, via="link")
    response = HttpResponse(body, content_type="application/zip")
    stamp = holdings.generated.strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, token: str) -> HttpResponse:
    data_request = _use(request, token)
    if isinstance(data_request, HttpResponse):
        return data_request
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.personal_data_erase(email=data_request.email, via="link")
        # Nothing is left to show, and an account the person was logged in with is gone:
        # this browser's session ends (its row may already be deleted with the account's).
        logout(request)
        return render(request, "privacy/erased.html")
    return render(
        request,
        "privacy/erase.html",
        {"form": form, "token": token},
        status=400 if request.method == "POST" else 200,
    )


@cache_public_page()
@require_safe
def notice_version(request: HttpRequest, version: int) -> HttpResponse:
    notice = PrivacyNotice.objects.filter(version=version).first()
    if notice is None:
        raise Http404
    latest = PrivacyNotice.objects.order_by("-version").values_list("version", flat=True).first()
    return render(
        request, "privacy/notice.html", {"notice": notice, "is_latest": version == latest}
    )
