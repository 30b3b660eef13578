"""Django's administration logs in through the site's own login page, never its own form.

The admin's login form would check the password only: no throttling, no second step. So
`admin.site.login` is replaced (in AccountsConfig.ready, before the URLs are built): a visitor is
sent to the site's login page and back; someone logged in without the right to the
administration gets a plain 403 instead of a loop between the two login pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied
    return redirect_to_login(next_url, login_url=reverse("accounts:login"))
