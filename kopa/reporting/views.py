"""The reporting dashboard, its exports and frozen reports, and the grant record's pages.

Only project admins and coordinators of the project's partner organisations get here; every
other signed-in person gets 403, visitors the login page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kopa.accounts.permissions import require
from kopa.core.aggregates import MIN_GROUP_SIZE
from kopa.core.ids import row_id
from kopa.programme.models import Activity, Project
from kopa.reporting import exports, selectors, services
from kopa.reporting.charts import MAX_BARS, bar_chart
from kopa.reporting.forms import (
    ActivityNoteForm,
    AllocationForm,
    DisseminationForm,
    ExportForm,
    GrantForm,
    PeriodForm,
)
from kopa.reporting.models import ActivityNote, Allocation, DisseminationEntry, FrozenReport, Grant
from kopa.reporting.reports import NoData, report_for, reports_for
from kopa.reporting.tables import ReportData


def _project(request: HttpRequest, slug: str) -> Project:
    project = get_object_or_404(Project, slug=slug)
    require(services.can_report(request.user, project))
    return project


def _grant(request: HttpRequest, slug: str) -> Grant:
    grant = selectors.grant_for(project=_project(request, slug))
    if grant is None:
        raise Http404
    return grant


def _charts(data: ReportData) -> dict[str, Any]:
    return {
        table.key: bar_chart(table.chart_items(), title=table.caption)
        for section in data.sections
        for table in section.tables
        if 0 < len(table.chart_items()) <= MAX_BARS
    }


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    projects = selectors.reportable_projects(user=request.user)
    require(projects.exists())
    return render(request, "reporting/index.html", {"projects": projects})


def _period(request: HttpRequest, grant: Grant) -> tuple[PeriodForm, list[tuple[str, str]]]:
    reports = [(report.code, str(report.title)) for report in reports_for(grant)]
    form = PeriodForm(request.GET or None, reports=reports, grant=grant)
    return form, reports


@login_required
@require_safe
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(request, slug)
    grant = selectors.grant_for(project=project)
    context: dict[str, Any] = {
        "project": project,
        "grant": grant,
        "min_group_size": MIN_GROUP_SIZE,
    }
    if grant is None:
        return render(request, "reporting/dashboard.html", context)
    form, reports = _period(request, grant)
    context.update(
        form=form,
        reports=reports,
        export_form=ExportForm(initial={"language": translation.get_language()}),
    )
    if not reports:
        return render(request, "reporting/dashboard.html", context)
    if request.GET and not form.is_valid():
        return render(request, "reporting/dashboard.html", context, status=400)
    chosen = form.cleaned_data if form.is_bound else form.clean_defaults()
    report = report_for(grant, chosen["report"])
    if report is None:
        raise Http404
    context["chosen"] = chosen
    context["frozen"] = selectors.frozen_reports(grant=grant)[:20]
    try:
        data = report.build(
            grant=grant,
            start=chosen["start"],
            end=chosen["end"],
            language=translation.get_language(),
        )
    except NoData:
        context["no_data"] = True
        return render(request, "reporting/dashboard.html", context)
    context.update(data=data, charts=_charts(data))
    return render(request, "reporting/dashboard.html", context)


def _export_response(data: ReportData, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(exports.report_xlsx(data), content_type=exports.XLSX_TYPE)
    else:
        response = HttpResponse(exports.report_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(data, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _export_language(request: HttpRequest) -> str | None:
    form = ExportForm({"language": request.GET.get("language") or translation.get_language()})
    return form.cleaned_data["language"] if form.is_valid() else None


@login_required
@require_safe
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    grant = _grant(request, slug)
    form, reports = _period(request, grant)
    if not reports:
        raise Http404
    language = _export_language(request)
    if language is None or (request.GET and not form.is_valid()):
        return render(request, "reporting/bad_request.html", {"project": grant.project}, status=400)
    chosen = form.cleaned_data if form.is_bound else form.clean_defaults()
    report = report_for(grant, chosen["report"])
    if report is None:
        raise Http404
    try:
        data = report.build(
            grant=grant, start=chosen["start"], end=chosen["end"], language=language
        )
    except NoData:
        return render(
            request,
            "reporting/no_data.html",
            {"project": grant.project, "chosen": chosen},
            status=404,
        )
    return _export_response(data, fmt)


@login_required
@require_POST
def freeze(request: HttpRequest, slug: str) -> HttpResponse:
    grant = _grant(request, slug)
    reports = [(report.code, str(report.title)) for report in reports_for(grant)]
    form = PeriodForm(request.POST, reports=reports, grant=grant)
    if not reports:
        raise Http404
    if not form.is_valid():
        return render(request, "reporting/bad_request.html", {"project": grant.project}, status=400)
    chosen = form.cleaned_data
    try:
        frozen = services.report_freeze(
            actor=request.user,
            grant=grant,
            code=chosen["report"],
            start=chosen["start"],
            end=chosen["end"],
        )
    except NoData:
        return render(
            request,
            "reporting/no_data.html",
            {"project": grant.project, "chosen": chosen},
            status=404,
        )
    except ValidationError:
        raise Http404 from None
    messages.success(request, _("The report is frozen: its figures will not change."))
    return redirect("reporting:frozen", slug=slug, pk=frozen.pk)


def _frozen(request: HttpRequest, slug: str, pk: int) -> tuple[FrozenReport, ReportData]:
    grant = _grant(request, slug)
    frozen = get_object_or_404(FrozenReport, pk=pk, grant=grant)
    language = translation.get_language()
    stored = frozen.data.get(language) or next(iter(frozen.data.values()))
    return frozen, ReportData.from_json(stored)


@login_required
@require_safe
def frozen_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    frozen, data = _frozen(request, slug, pk)
    return render(
        request,
        "reporting/frozen.html",
        {
            "project": frozen.grant.project,
            "grant": frozen.grant,
            "frozen": frozen,
            "data": data,
            "min_group_size": MIN_GROUP_SIZE,
            "charts": _charts(data),
            "export_form": ExportForm(initial={"language": translation.get_language()}),
        },
    )


@login_required
@require_safe
def frozen_export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    frozen, _data = _frozen(request, slug, pk)
    language = _export_language(request)
    if language is None or language not in frozen.data:
        return render(
            request, "reporting/bad_request.html", {"project": frozen.grant.project}, status=400
        )
    return _export_response(ReportData.from_json(frozen.data[language]), fmt)


# The grant record --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def grant_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(request, slug)
    grant = selectors.grant_for(project=project)
    initial = services.grant_defaults(project=project) if grant is None else None
    form = GrantForm(request.POST or None, instance=grant, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.GRANT_FIELDS}
        try:
            if grant is None:
                services.grant_create(actor=request.user, project=project, **fields)
            else:
                services.grant_update(
                    actor=request.user,
                    grant=grant,
                    expected_version=form.cleaned_data["version"] or 0,
                    **fields,
                )
        except services.EditConflict:
            form.add_error(
                None,
                _(
                    "Someone else saved the grant record while you were editing it. Your "
                    "changes are not saved. Open the page again to see their version."
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The grant record is saved."))
            return redirect("reporting:grant", slug=slug)
    return render(
        request,
        "reporting/grant_form.html",
        {
            "project": project,
            "grant": grant,
            "form": form,
            "activities": Activity.objects.filter(project=project).order_by(
                "planned_start", "position", "slug"
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocations(request: HttpRequest, slug: str) -> HttpResponse:
    grant = _grant(request, slug)
    form = AllocationForm(
        request.POST if request.POST.get("action") == "add" else None, grant=grant
    )
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            allocation = get_object_or_404(
                Allocation, pk=row_id(request.POST.get("allocation")) or 0, grant=grant
            )
            services.allocation_remove(actor=request.user, allocation=allocation)
            messages.success(request, _("The allocation is removed."))
            return redirect("reporting:allocations", slug=slug)
        if form.is_valid():
            try:
                services.allocation_add(actor=request.user, grant=grant, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The allocation is added."))
                return redirect("reporting:allocations", slug=slug)
    allocated = selectors.allocated_total(grant=grant)
    return render(
        request,
        "reporting/allocations.html",
        {
            "project": grant.project,
            "grant": grant,
            "form": form,
            "allocations": selectors.allocations(grant=grant),
            "allocated": allocated,
            "remaining": grant.lump_sum - allocated,
        },
        status=400 if form.errors else 200,
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def dissemination(request: HttpRequest, slug: str) -> HttpResponse:
    grant = _grant(request, slug)
    adding = request.POST.get("action") == "add"
    form = DisseminationForm(
        request.POST if adding else None, initial={"language": translation.get_language()}
    )
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            entry = get_object_or_404(
                DisseminationEntry, pk=row_id(request.POST.get("entry")) or 0, grant=grant
            )
            services.dissemination_remove(actor=request.user, entry=entry)
            messages.success(request, _("The entry is removed."))
            return redirect("reporting:dissemination", slug=slug)
        if form.is_valid():
            try:
                services.dissemination_add(actor=request.user, grant=grant, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The entry is added."))
                return redirect("reporting:dissemination", slug=slug)
    return render(
        request,
        "reporting/dissemination.html",
        {
            "project": grant.project,
            "grant": grant,
            "form": form,
            "entries": selectors.dissemination(grant=grant),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_note(request: HttpRequest, slug: str, activity_slug: str) -> HttpResponse:
    project = _project(request, slug)
    activity = get_object_or_404(Activity, slug=activity_slug, project=project)
    note = ActivityNote.objects.filter(activity=activity).first()
    initial = (
        {"changed": note.changed, "justification": note.justification, "language": note.language}
        if note is not None
        else {"language": translation.get_language()}
    )
    form = ActivityNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.activity_note_save(actor=request.user, activity=activity, **form.cleaned_data)
        messages.success(request, _("The note is saved."))
        return redirect("reporting:dashboard", slug=slug)
    return render(
        request,
        "reporting/activity_note.html",
        {
            "project": project,
            "grant": selectors.grant_for(project=project),
            "activity": activity,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
