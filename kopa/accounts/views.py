from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kopa.accounts import selectors, services
from kopa.accounts.forms import (
    LoginForm,
    MembershipAddForm,
    MembershipRoleForm,
    OrganisationForm,
    PasswordResetForm,
    ProfileForm,
)
from kopa.accounts.models import Membership, Organisation
from kopa.accounts.permissions import can_manage_organisation, require


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "accounts/mail/password_reset.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_email_context = {"site_name": settings.KOPA_SITE_NAME}


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
        {"form": form, "memberships": selectors.user_memberships(user=user)},
    )


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
