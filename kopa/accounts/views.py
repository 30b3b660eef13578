from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kopa.accounts import selectors, services, throttle, two_factor
from kopa.accounts.forms import (
    LoginForm,
    MembershipAddForm,
    MembershipRoleForm,
    OrganisationForm,
    PasswordAndCodeForm,
    PasswordResetForm,
    ProfileForm,
    TwoFactorCodeForm,
    TwoFactorSetupForm,
)
from kopa.accounts.models import Membership, Organisation, TwoFactorDevice
from kopa.accounts.permissions import can_manage_organisation, require


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        if TwoFactorDevice.objects.filter(user=user).exists():
            two_factor.start(self.request, user, next_url=self.get_success_url())
            return redirect("accounts:two_factor_login")
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "accounts/mail/password_reset.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_email_context = {"site_name": settings.KOPA_SITE_NAME}

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Same answer for known and unknown addresses, so refusing says nothing either.
        if not throttle.password_reset_allowed(self.request, form.cleaned_data["email"]):
            form.add_error(None, TOO_MANY_RESETS)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


TOO_MANY_RESETS = gettext_lazy(
    "Too many password reset messages have been asked for. Wait an hour, and check the spam "
    "folder for the ones already sent."
)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"full_name": user.full_name, "preferred_language": user.preferred_language},
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(actor=user, user=user, **form.cleaned_data)
        messages.success(request, _("Your details are saved."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": selectors.user_memberships(user=user),
            "two_factor_on": TwoFactorDevice.objects.filter(user=user).exists(),
        },
    )


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    services.user_logout_everywhere(actor=request.user, user=request.user)
    auth.logout(request)
    messages.success(request, _("You are logged out on every device, this one too."))
    return redirect("accounts:login")


# --- Two-step login -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def two_factor_login(request: HttpRequest) -> HttpResponse:
    """The login's second step, after a correct password (kopa.accounts.two_factor)."""
    pending = two_factor.pending_user(request)
    if pending is None:
        # No password step in this session, or it was too long ago: say so and start again.
        return render(request, "accounts/two_factor_login.html", {"form": None})
    user, next_url = pending
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not throttle.code_allowed(user.pk):
            form.add_error(None, TOO_MANY_CODES)
            status = 429
        else:
            try:
                services.two_factor_verify(user=user, code=form.cleaned_data["code"])
            except services.TwoFactorError as error:
                form.add_error("code", error.message)
            else:
                two_factor.finish(request, user)
                return redirect(next_url)
    return render(request, "accounts/two_factor_login.html", {"form": form}, status=status)


TOO_MANY_CODES = _(
    "There have been too many wrong codes. Wait an hour and try again, or use a recovery code "
    "after that."
)


def _two_factor_page(request: HttpRequest, **context: object) -> HttpResponse:
    user = request.user
    device_on = TwoFactorDevice.objects.filter(user=user).exists()
    context.setdefault("codes", None)
    if device_on:
        context.setdefault("off_form", PasswordAndCodeForm(prefix="off"))
        context.setdefault("renew_form", PasswordAndCodeForm(prefix="renew"))
        context["codes_left"] = user.recovery_codes.filter(used_at=None).count()
    else:
        secret = two_factor.setup_secret(request)
        context.setdefault("setup_form", TwoFactorSetupForm())
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr_code"] = two_factor.qr_data_uri(secret, account=user.email)
    context["device_on"] = device_on
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """Turn the two-step login on: scan the QR code, confirm with a code, keep recovery codes."""
    if request.method == "GET":
        return _two_factor_page(request)
    form = TwoFactorSetupForm(request.POST)
    if form.is_valid():
        try:
            codes = services.two_factor_enable(
                actor=request.user,
                secret=two_factor.setup_secret(request),
                code=form.cleaned_data["code"],
            )
        except services.TwoFactorError as error:
            form.add_error("code", error.message)
        else:
            two_factor.forget_setup_secret(request)
            return _two_factor_page(request, codes=codes)
    return _two_factor_page(request, setup_form=form)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordAndCodeForm(request.POST, prefix="off")
    if form.is_valid():
        try:
            services.two_factor_disable(actor=request.user, **form.cleaned_data)
        except services.TwoFactorError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Two-step login is off."))
            return redirect("accounts:profile")
    return _two_factor_page(request, off_form=form)


@login_required
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    form = PasswordAndCodeForm(request.POST, prefix="renew")
    if form.is_valid():
        try:
            codes = services.recovery_codes_renew(actor=request.user, **form.cleaned_data)
        except services.TwoFactorError as error:
            form.add_error(None, error.message)
        else:
            return _two_factor_page(request, codes=codes)
    return _two_factor_page(request, renew_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    require(can_manage_organisation(request.user, organisation))
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.ORGANISATION_FIELDS}
        try:
            services.organisation_update(
                actor=request.user,
                organisation=Organisation.objects.get(pk=organisation.pk),
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except services.EditConflict:
            form.add_error(
                None,
                _(
                    "Someone else saved this organisation while you were editing it. Your "
                    "changes are not saved. Open the page again to see their version."
                ),
            )
        else:
            messages.success(request, _("The organisation is saved."))
            return redirect(organisation)
    return render(
        request, "accounts/organisation_edit.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    require(can_manage_organisation(request.user, organisation))
    form = MembershipAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                actor=request.user,
                organisation=organisation,
                base_url=request.build_absolute_uri("/").rstrip("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The person is added and has been sent a message."))
            return redirect("organisations:members", slug=organisation.slug)
    members = selectors.organisation_members(organisation=organisation)
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": organisation,
            "form": form,
            "members": [
                (m, MembershipRoleForm(initial={"role": m.role}, prefix=f"m{m.pk}"))
                for m in members
            ],
        },
    )


@login_required
@require_POST
def membership_change(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("organisation", "user"),
        pk=membership_id,
        organisation__slug=slug,
    )
    require(can_manage_organisation(request.user, membership.organisation))
    try:
        if "remove" in request.POST:
            services.membership_remove(actor=request.user, membership=membership)
            messages.success(request, _("The person is removed from the organisation."))
        else:
            form = MembershipRoleForm(request.POST, prefix=f"m{membership.pk}")
            if form.is_valid():
                services.membership_change_role(
                    actor=request.user, membership=membership, role=form.cleaned_data["role"]
                )
                messages.success(request, _("The role is changed."))
            else:
                messages.error(request, _("Choose a role from the list."))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("organisations:members", slug=slug)
