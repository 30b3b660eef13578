"""The coordinators' pages: their activities, registrations, questions, check-in and exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.permissions import is_project_admin, require
from kopa.core.ids import row_id
from kopa.programme import exports, selectors, services
from kopa.programme.forms import ActivityForm, CapacityForm, QuestionForm, RegistrationFilterForm
from kopa.programme.models import Activity, Project, Question, Registration, TargetGroup
from kopa.programme.selectors import project_current


def _managed_activity(request: HttpRequest, slug: str) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("kind", "project"), slug=slug)
    require(services.can_manage_activity(request.user, activity))
    return activity


def _coordinated_organisations(user: Any) -> QuerySet[Organisation]:
    if is_project_admin(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.COORDINATOR
    )


def _coordinator_required(request: HttpRequest) -> None:
    if not _coordinated_organisations(request.user).exists():
        raise PermissionDenied


@login_required
@require_safe
def activity_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programme/manage/activity_list.html",
        {
            "activities": selectors.activities_managed_by(user=request.user),
            "is_coordinator": _coordinated_organisations(request.user).exists(),
        },
    )


def _form_fields(form: ActivityForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.ACTIVITY_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    _coordinator_required(request)
    organisations = _coordinated_organisations(request.user)
    form = ActivityForm(request.POST or None, organisers=organisations)
    form.fields["starts_at"].required = True
    project = project_current()
    if request.method == "POST" and form.is_valid() and project is not None:
        try:
            activity = services.activity_create(
                actor=request.user,
                project=_project_for(form, project),
                organisers=list(form.cleaned_data["organisers"]),
                target_groups=list(form.cleaned_data["target_groups"]),
                **_form_fields(form),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activity is created."))
            return redirect("programme:manage_activity", slug=activity.slug)
    return render(request, "programme/manage/activity_form.html", {"form": form, "activity": None})


def _project_for(form: ActivityForm, default: Project) -> Project:
    """The project the organisers take part in, else the site's current project."""
    organisers = form.cleaned_data["organisers"]
    partnered = Project.objects.filter(partners__organisation__in=organisers).order_by(
        "-start_date"
    )
    return partnered.first() or default


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, slug: str) -> HttpResponse:
    activity = _managed_activity(request, slug)
    organisations = Organisation.objects.filter(
        Q(pk__in=_coordinated_organisations(request.user).values("pk"))
        | Q(pk__in=activity.organisers.values("pk"))
    )
    form = ActivityForm(request.POST or None, instance=activity, organisers=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                actor=request.user,
                activity=Activity.objects.get(pk=activity.pk),
                expected_version=form.cleaned_data["version"] or 0,
                organisers=list(form.cleaned_data["organisers"]),
                target_groups=list(form.cleaned_data["target_groups"]),
                **_form_fields(form),
            )
        except services.EditConflict:
            form.add_error(
                None,
                _(
                    "Someone else saved this activity while you were editing it. Your changes "
                    "are not saved. Open the page again to see their version."
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activity is saved."))
            return redirect("programme:manage_activity", slug=activity.slug)
    return render(
        request, "programme/manage/activity_form.html", {"form": form, "activity": activity}
    )


@login_required
@require_POST
def activity_duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    activity = _managed_activity(request, slug)
    copy = services.activity_duplicate(actor=request.user, activity=activity)
    messages.success(request, _("Next year's edition is created as planned. Check its dates."))
    return redirect("programme:manage_edit", slug=copy.slug)


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    activity = _managed_activity(request, slug)
    if request.method == "POST":
        try:
            count = services.activity_cancel(actor=request.user, activity=activity)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The activity is cancelled; %(count)d registered people are being told.")
                % {"count": count},
            )
        return redirect("programme:manage_activity", slug=activity.slug)
    active = activity.registrations.filter(status__in=Registration.ACTIVE).count()
    return render(
        request, "programme/manage/activity_cancel.html", {"activity": activity, "active": active}
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Registrations with filters and counts, approval, seats and check-in by name."""
    activity = _managed_activity(request, slug)
    capacity_form = CapacityForm(
        request.POST if "capacity" in request.POST else None,
        initial={"capacity": activity.capacity},
    )
    if request.method == "POST":
        return _registration_action(request, activity, capacity_form)
    filters = RegistrationFilterForm(
        request.GET or None,
        groups=TargetGroup.objects.all(),
        countries=selectors.registration_countries(activity=activity),
    )
    chosen = filters.cleaned_data if filters.is_valid() else {}
    registrations = selectors.registration_list(
        activity=activity, **{key: value for key, value in chosen.items() if value}
    )
    services.registrations_viewed(actor=request.user, activity=activity, purpose="viewed")
    return render(
        request,
        "programme/manage/activity_manage.html",
        {
            "activity": activity,
            "registrations": registrations,
            "filters": filters,
            "counts": selectors.registration_counts(activity=activity),
            "capacity_form": capacity_form,
            "query": request.GET.urlencode(),
        },
    )


def _registration_action(
    request: HttpRequest, activity: Activity, capacity_form: CapacityForm
) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        if action == "capacity":
            if not capacity_form.is_valid():
                # A post without the field leaves the form unbound: no error of its own.
                raise ValidationError(
                    capacity_form.errors.get("capacity")
                    or forms.Field.default_error_messages["required"]
                )
            promoted = services.activity_set_capacity(
                actor=request.user,
                activity=activity,
                capacity=capacity_form.cleaned_data["capacity"],
            )
            messages.success(
                request,
                _("Seats are saved; %(count)d people moved up from the waiting list.")
                % {"count": len(promoted)},
            )
        else:
            registration = get_object_or_404(
                Registration, pk=row_id(request.POST.get("registration")) or 0, activity=activity
            )
            if action in ("approve", "decline"):
                services.registration_decide(
                    actor=request.user, registration=registration, approve=action == "approve"
                )
            elif action == "cancel":
                services.registration_cancel(registration=registration, actor=request.user)
            elif action in ("attended", "not_attended"):
                services.attendance_mark(
                    actor=request.user, registration=registration, attended=action == "attended"
                )
            else:
                raise Http404
            messages.success(request, _("Saved."))
    except services.RegistrationError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    next_query = request.POST.get("query", "")
    target = request.path + (f"?{next_query}" if next_query else "")
    return redirect(target)


@login_required
@require_safe
def registrations_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    activity = _managed_activity(request, slug)
    header, rows = exports.registration_table(
        activity, selectors.registration_list(activity=activity)
    )
    services.registrations_viewed(actor=request.user, activity=activity, purpose="exported")
    if fmt == "csv":
        body, content_type = exports.as_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = exports.as_xlsx(header, rows, title=activity.slug)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{activity.slug}-registrations.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def activity_questions(request: HttpRequest, slug: str) -> HttpResponse:
    activity = _managed_activity(request, slug)
    editing = None
    if "question" in request.GET or "question" in request.POST:
        editing = get_object_or_404(
            Question,
            # a made-up id is no question (0 is no row): 404, not 500
            pk=row_id(request.GET.get("question") or request.POST.get("question")) or 0,
            activity=activity,
        )
    if request.method == "POST" and request.POST.get("action") == "delete" and editing:
        services.question_delete(actor=request.user, question=editing)
        messages.success(request, _("The question is removed."))
        return redirect("programme:manage_questions", slug=activity.slug)
    form = QuestionForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        services.question_save(
            actor=request.user, activity=activity, question=form.save(commit=False)
        )
        messages.success(request, _("The question is saved."))
        return redirect("programme:manage_questions", slug=activity.slug)
    return render(
        request,
        "programme/manage/activity_questions.html",
        {
            "activity": activity,
            "form": form,
            "editing": editing,
            "questions": activity.questions.all(),
        },
    )
