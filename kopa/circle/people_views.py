"""The people of the circle: profiles seen by logged-in circle members only, and messages relayed
by mail. Never cached: every page here is personal."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kopa.accounts.models import Organisation
from kopa.accounts.permissions import is_circle_member, is_project_admin, require
from kopa.circle import selectors, services
from kopa.circle.forms import MessageForm, PeopleFilterForm, ProfileForm
from kopa.circle.models import MemberProfile
from kopa.core import ratelimit
from kopa.core.countries import language_name

PAGE_SIZE = 20
# Relayed messages per sender: a colleague writes a few a day; more looks like a mass mailing.
MESSAGE_LIMIT = 5
MESSAGE_PERIOD = 60 * 60


def _member_required(request: HttpRequest) -> None:
    require(is_circle_member(request.user))


def _profile_for(request: HttpRequest, profile_id: str) -> MemberProfile:
    """A profile the visitor may see: visible ones, and one's own even when hidden."""
    try:
        pk = uuid.UUID(profile_id)
    except ValueError as error:
        raise Http404 from error
    profile = (
        MemberProfile.objects.select_related("user", "organisation")
        .filter(pk=pk, user__is_active=True)
        .first()
    )
    if profile is None or not (profile.visible or profile.user_id == request.user.pk):
        raise Http404
    return profile


@login_required
@require_safe
def people_list(request: HttpRequest) -> HttpResponse:
    _member_required(request)
    regions = selectors.profile_regions()
    filters = PeopleFilterForm(request.GET or None, regions=regions)
    chosen: dict[str, Any] = {}
    if filters.is_valid():
        chosen = filters.cleaned_data
    elif filters.is_bound:
        # An unknown language or region (an old link): ignored, with a word about it.
        messages.info(request, _("A filter was not understood and is ignored."))
        chosen = dict(filters.cleaned_data)
    profiles = selectors.profiles_listed(
        language=chosen.get("language") or "",
        region=chosen.get("region") or "",
        peer_support=bool(chosen.get("shoulder")),
    )
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    for profile in page:
        profile.language_names = _language_names(profile)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "circle/people/list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "own": MemberProfile.objects.filter(user=request.user).first(),
            "can_edit_directory": services.can_edit_directory(request.user),
        },
    )


@login_required
@require_safe
def person(request: HttpRequest, profile_id: str) -> HttpResponse:
    _member_required(request)
    profile = _profile_for(request, profile_id)
    return render(
        request,
        "circle/people/detail.html",
        {
            "profile": profile,
            "language_names": _language_names(profile),
            "is_own": profile.user_id == request.user.pk,
            "can_write": profile.accepts_messages and profile.user_id != request.user.pk,
        },
    )


def _language_names(profile: MemberProfile) -> list[str]:
    return [language_name(code) for code in profile.language_codes]


def _own_organisations(user: Any) -> Any:
    if is_project_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=user)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    _member_required(request)
    profile = MemberProfile.objects.filter(user=request.user).first()
    if request.method == "POST" and "delete" in request.POST:
        if profile is not None:
            services.profile_delete(actor=request.user, profile=profile)
            messages.success(request, _("Your profile is deleted."))
        return redirect("circle:people")
    instance = profile or MemberProfile(user=request.user, original_language=get_language() or "en")
    form = ProfileForm(
        request.POST or None, instance=instance, organisations=_own_organisations(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.profile_save(
                actor=request.user,
                role=data["role"],
                expertise=data["expertise"],
                original_language=data["original_language"],
                languages=data["languages"],
                region=data["region"],
                organisation=data["organisation"],
                offers_peer_support=data["offers_peer_support"],
                visible=data["visible"],
                accepts_messages=data["accepts_messages"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("circle:person", profile_id=saved.pk)
    return render(request, "circle/people/edit.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def message(request: HttpRequest, profile_id: str) -> HttpResponse:
    _member_required(request)
    profile = _profile_for(request, profile_id)
    if profile.user_id == request.user.pk or not profile.accepts_messages:
        return render(
            request, "circle/people/message.html", {"profile": profile, "closed": True}, status=403
        )
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(
            scope="circle.message",
            key=ratelimit.client_key(request),
            limit=MESSAGE_LIMIT,
            period=MESSAGE_PERIOD,
        ):
            form.add_error(
                None,
                _(
                    "You have sent several messages in a short time. Please wait an hour "
                    "before you write again; your message is not sent."
                ),
            )
            status = 429
        else:
            try:
                services.message_send(
                    sender=request.user,
                    profile=profile,
                    body=form.cleaned_data["body"],
                    share_address=form.cleaned_data["share_address"],
                )
            except services.MessageRefused:
                return render(
                    request,
                    "circle/people/message.html",
                    {"profile": profile, "closed": True},
                    status=403,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Your message is on its way to %(name)s.") % {"name": profile.user},
                )
                return redirect("circle:person", profile_id=profile.pk)
    return render(
        request, "circle/people/message.html", {"profile": profile, "form": form}, status=status
    )
