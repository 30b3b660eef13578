from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _start_session_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The session's idle and absolute age (kopa.core.security) start at the password."""
    from kopa.core.security import mark_session_authenticated

    if request is not None and hasattr(request, "session"):
        mark_session_authenticated(request)


class AccountsConfig(AppConfig):
    name = "kopa.accounts"
    label = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in

        from kopa.accounts.admin_login import admin_login

        user_logged_in.connect(_start_session_clock, dispatch_uid="kopa.accounts.session_clock")
        # The administration logs in through the site's login: throttled, with the second step.
        admin.site.login = admin_login
