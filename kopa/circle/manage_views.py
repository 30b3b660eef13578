"""Keeping the directory true: editors add, edit and verify entries and review suggestions;
circle members suggest. Never cached (forms with CSRF tokens, personal pages)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kopa.accounts.permissions import is_circle_member, require
from kopa.circle import selectors, services
from kopa.circle.forms import (
    HoursFormSet,
    RejectForm,
    ServiceForm,
    SuggestionForm,
    hours_initial,
)
from kopa.circle.models import Service, Suggestion
from kopa.core import ratelimit
from kopa.core.i18n import current_language

PAGE_SIZE = 30
SUGGESTION_LIMIT = 10
SUGGESTION_PERIOD = 60 * 60


def _editor_required(request: HttpRequest) -> None:
    require(services.can_edit_directory(request.user))


def _service(service_id: str) -> Service:
    try:
        pk = uuid.UUID(service_id)
    except ValueError as error:
        raise Http404 from error
    service = Service.objects.select_related("organization").filter(pk=pk).first()
    if service is None:
        raise Http404
    return service


def _conflict_message() -> str:
    return _(
        "Someone else saved this entry while you were editing it. Your changes are not saved. "
        "Open the entry again to see their version, then make your changes once more."
    )


@login_required
@require_safe
def manage_home(request: HttpRequest) -> HttpResponse:
    _editor_required(request)
    cutoff = services.review_cutoff()
    query = " ".join(request.GET.get("q", "").split())[:200]
    found = None
    if query:
        found = Paginator(selectors.services_named(query), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "circle/manage/home.html",
        {
            "q": query,
            "found": found,
            "page": found,
            "query": urlencode({"q": query}),
            "due": selectors.services_due_for_review(cutoff=cutoff).count(),
            "suggestions": selectors.suggestions_open().count(),
            "months": services.review_months(),
        },
    )


def _edit_page(
    request: HttpRequest,
    *,
    service: Service | None,
    suggestion: Suggestion | None = None,
    initial: dict[str, Any] | None = None,
    hours: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    """The service form; with a suggestion, saving it accepts the suggestion."""
    post = request.POST if request.method == "POST" and "reject" not in request.POST else None
    form = ServiceForm(post, initial=initial)
    hours_forms = HoursFormSet(post, initial=hours, prefix="hours")
    if post is not None and form.is_valid() and hours_forms.is_valid():
        rows = [row for f in hours_forms.forms if (row := f.row()) is not None]
        arguments = {
            "actor": request.user,
            "edit": form.edit(rows),
            "expected_version": form.cleaned_data["version"],
            "organization_name": form.cleaned_data["organization_name"],
            "verified": form.cleaned_data["verified"],
        }
        try:
            if suggestion is not None:
                saved = services.suggestion_accept(suggestion=suggestion, **arguments)
            else:
                saved = services.service_save(service=service, **arguments)
        except services.EditConflict:
            form.add_error(None, _conflict_message())
        except services.SuggestionClosed:
            messages.error(request, _("Someone else has already decided on this suggestion."))
            return redirect("circle:manage_suggestions")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if suggestion is not None:
                messages.success(request, _("The suggestion is accepted and the entry saved."))
                return redirect("circle:manage_suggestions")
            messages.success(request, _("The entry is saved."))
            return redirect("circle:manage_edit", service_id=saved.pk)
    context = {
        "form": form,
        "hours_forms": hours_forms,
        "service": service,
        "suggestion": suggestion,
        "other_schedules": selectors.other_schedules(service) if service else [],
        "reject_form": RejectForm() if suggestion is not None else None,
        "proposed": _proposed(suggestion),
    }
    return render(request, "circle/manage/service_form.html", context)


def _proposed(suggestion: Suggestion | None) -> list[tuple[str, str]]:
    """The suggested values with the labels the suggester saw."""
    if suggestion is None:
        return []
    fields = SuggestionForm.base_fields
    return [
        (str(fields[name].label), suggestion.proposed[name])
        for name in fields
        if suggestion.proposed.get(name)
    ]


def _add_errors(form: ServiceForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        target = name if name in form.fields else None
        form.add_error(
            target, _("This value is not valid: %(problem)s") % {"problem": "; ".join(problems)}
        )


@login_required
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    _editor_required(request)
    initial = {"original_language": current_language(), "status": Service.Status.ACTIVE}
    return _edit_page(request, service=None, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: str) -> HttpResponse:
    _editor_required(request)
    service = _service(service_id)
    state = selectors.service_edit_state(service)
    return _edit_page(
        request,
        service=service,
        initial=ServiceForm.initial_from(
            state, version=service.version, organization=service.organization
        ),
        hours=hours_initial(state),
    )


@login_required
@require_POST
def service_verify(request: HttpRequest, service_id: str) -> HttpResponse:
    _editor_required(request)
    service = _service(service_id)
    services.service_verify(actor=request.user, service=service)
    messages.success(
        request, _("“%(name)s” is marked as verified today.") % {"name": service.name.text}
    )
    target = request.POST.get("next", "")
    if target == "review":
        return redirect("circle:manage_review")
    return redirect("circle:manage_edit", service_id=service.pk)


@login_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    _editor_required(request)
    cutoff = services.review_cutoff()
    page = Paginator(selectors.services_due_for_review(cutoff=cutoff), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "circle/manage/review.html",
        {"page": page, "cutoff": cutoff, "months": services.review_months(), "query": ""},
    )


@login_required
@require_safe
def suggestion_list(request: HttpRequest) -> HttpResponse:
    _editor_required(request)
    page = Paginator(selectors.suggestions_open(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "circle/manage/suggestions.html", {"page": page, "query": ""})


def _suggestion_initial(suggestion: Suggestion) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The form as the suggestion would leave the entry: the service's current values (for a
    correction) with the proposed name, description and address laid over them."""
    proposed = suggestion.proposed
    lang = suggestion.language
    if suggestion.service is not None:
        state = selectors.service_edit_state(suggestion.service)
        initial = ServiceForm.initial_from(
            state,
            version=suggestion.service.version,
            organization=suggestion.service.organization,
        )
        hours = hours_initial(state)
    else:
        initial = {"original_language": lang, "status": Service.Status.ACTIVE}
        hours = []
    for key, name in (("name", "name"), ("description", "description")):
        if proposed.get(key):
            initial[name] = {**initial.get(name, {}), lang: proposed[key]}
            if suggestion.service is None:
                initial[name] = {lang: proposed[key]}
    for key, name in (("address", "address_1"), ("city", "city"), ("website", "url")):
        if proposed.get(key):
            initial[name] = proposed[key]
    if proposed.get("phone"):
        initial["phones"] = "\n".join(filter(None, [initial.get("phones", ""), proposed["phone"]]))
    if proposed.get("organization") and not initial.get("organization_name"):
        initial["organization_name"] = proposed["organization"]
    return initial, hours


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_review(request: HttpRequest, suggestion_id: str) -> HttpResponse:
    _editor_required(request)
    try:
        pk = uuid.UUID(suggestion_id)
    except ValueError as error:
        raise Http404 from error
    suggestion = Suggestion.objects.select_related("service", "suggested_by").filter(pk=pk).first()
    if suggestion is None:
        raise Http404
    if suggestion.status != Suggestion.Status.OPEN:
        messages.info(request, _("Someone else has already decided on this suggestion."))
        return redirect("circle:manage_suggestions")
    if request.method == "POST" and "reject" in request.POST:
        reject_form = RejectForm(request.POST)
        if reject_form.is_valid():
            try:
                services.suggestion_reject(
                    actor=request.user,
                    suggestion=suggestion,
                    reason=reject_form.cleaned_data["reason"],
                )
            except services.SuggestionClosed:
                messages.error(request, _("Someone else has already decided on this suggestion."))
            else:
                messages.success(request, _("The suggestion is rejected; its author is told why."))
            return redirect("circle:manage_suggestions")
        initial, hours = _suggestion_initial(suggestion)
        return _reject_invalid(request, suggestion, reject_form, initial, hours)
    initial, hours = _suggestion_initial(suggestion)
    return _edit_page(
        request, service=suggestion.service, suggestion=suggestion, initial=initial, hours=hours
    )


def _reject_invalid(
    request: HttpRequest,
    suggestion: Suggestion,
    reject_form: RejectForm,
    initial: dict[str, Any],
    hours: list[dict[str, Any]],
) -> HttpResponse:
    service = suggestion.service
    return render(
        request,
        "circle/manage/service_form.html",
        {
            "form": ServiceForm(initial=initial),
            "hours_forms": HoursFormSet(initial=hours, prefix="hours"),
            "service": service,
            "suggestion": suggestion,
            "other_schedules": selectors.other_schedules(service) if service else [],
            "reject_form": reject_form,
            "proposed": _proposed(suggestion),
        },
        status=400,
    )


def _suggest(request: HttpRequest, service: Service | None) -> HttpResponse:
    require(is_circle_member(request.user))
    form = SuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(
            scope="circle.suggestion",
            key=ratelimit.client_key(request),
            limit=SUGGESTION_LIMIT,
            period=SUGGESTION_PERIOD,
        ):
            form.add_error(
                None,
                _(
                    "You have sent many suggestions in a short time. Please wait an hour and "
                    "send this one again; it is not saved."
                ),
            )
            status = 429
        else:
            try:
                services.suggestion_create(
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    proposed=form.proposed(),
                    language=get_language() or "en",
                    service=service,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Thank you. An editor will look at your suggestion and write to you."),
                )
                if service is not None:
                    return redirect("circle:service", service_id=service.pk)
                return redirect("circle:directory")
    return render(
        request, "circle/manage/suggest.html", {"form": form, "service": service}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggest_new(request: HttpRequest) -> HttpResponse:
    return _suggest(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def suggest_correction(request: HttpRequest, service_id: str) -> HttpResponse:
    return _suggest(request, _service(service_id))
