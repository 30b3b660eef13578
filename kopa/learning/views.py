"""Pages: the materials library, answering a questionnaire, and the coordinators' pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kopa.accounts.models import Membership
from kopa.accounts.permissions import is_circle_member, is_project_admin, require
from kopa.core import ratelimit
from kopa.core.aggregates import figure
from kopa.core.cache import cache_public_page
from kopa.learning import charts, selectors, services
from kopa.learning.exports import results_table
from kopa.learning.forms import (
    AnswerForm,
    AttachForm,
    MaterialFilterForm,
    MaterialForm,
    activity_choices,
)
from kopa.learning.links import answer_url, resolve
from kopa.learning.models import ActivityQuestionnaire, Material, QuestionnaireTemplate
from kopa.programme.exports import as_csv, as_xlsx
from kopa.programme.models import Activity
from kopa.programme.selectors import project_current
from kopa.programme.services import can_manage_activity

PAGE_SIZE = 20
ANSWER_LIMIT = 20  # submissions per client per hour: a class fills in a questionnaire together
ANSWER_PERIOD = 3600


# --- Materials --------------------------------------------------------------------------------


@cache_public_page()
@require_safe
def material_list(request: HttpRequest) -> HttpResponse:
    form = MaterialFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    ids = None
    if form.is_valid():
        data = form.cleaned_data
        filters = {k: data[k] for k in ("kind", "theme", "language", "target_group") if data[k]}
        if data["q"]:
            from kopa.core.search import search

            hits = search(query=data["q"], kinds=["learning.material"], limit=100)
            ids = [int(hit.key.rsplit(":", 1)[1]) for hit in hits]
    materials = selectors.material_list(user=request.user, ids=ids, **filters)
    if ids:
        order = {pk: position for position, pk in enumerate(ids)}
        materials = sorted(materials, key=lambda m: order.get(m.pk, len(order)))
    page = Paginator(materials, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learning/material_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_add": bool(services.editable_organisations(request.user)),
            "is_member": is_circle_member(request.user),
        },
    )


@cache_public_page()
@require_safe
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    material = selectors.material_detail(user=request.user, pk=pk)
    if material is None:
        raise Http404
    return render(
        request,
        "learning/material_detail.html",
        {
            "material": material,
            "can_edit": services.can_edit_material(request.user, material.organisation),
        },
    )


@require_safe
def material_file(request: HttpRequest, pk: int) -> FileResponse:
    """The file, only to whoever may see the material; circle-only files are never cached."""
    material = selectors.material_detail(user=request.user, pk=pk)
    if material is None or not material.file_key:
        raise Http404
    try:
        handle = default_storage.open(material.storage_name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(handle, content_type=material.file_type)
    response["Content-Disposition"] = f'attachment; filename="{material.file_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        "public, max-age=3600" if material.is_public else "private, no-store"
    )
    return response


def _material_form(request: HttpRequest, material: Material) -> HttpResponse:
    organisations = services.editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    project = material.project if material.pk else project_current()
    if project is None:
        raise Http404
    creating = material.pk is None
    form = MaterialForm(
        request.POST or None,
        request.FILES or None,
        instance=material,
        organisations=organisations,
        activities=activity_choices(project),
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        material = form.instance
        material.project = project
        try:
            services.material_save(
                actor=request.user,
                material=material,
                target_groups=form.cleaned_data["target_groups"],
                upload=form.cleaned_data.get("upload"),
                expected_version=None if creating else form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "upload" in error.error_dict:
                form.add_error("upload", error.error_dict["upload"])
            elif hasattr(error, "error_dict"):
                form.add_error(None, error)
            else:
                form.add_error("upload", error)
        except services.EditConflict:
            conflict = True
            form.add_error(
                None,
                _(
                    "Someone else saved this material after you opened it. Open it again to "
                    "see their changes, then make yours."
                ),
            )
        else:
            messages.success(request, _("The material is saved."))
            return redirect("learning:material", pk=material.pk)
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(
        request,
        "learning/material_form.html",
        {"form": form, "material": material if not creating else None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_create(request: HttpRequest) -> HttpResponse:
    return _material_form(request, Material())


@login_required
@require_http_methods(["GET", "POST"])
def material_edit(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(Material.objects.select_related("organisation"), pk=pk)
    require(services.can_edit_material(request.user, material.organisation))
    return _material_form(request, material)


@login_required
@require_POST
def material_delete(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_object_or_404(Material.objects.select_related("organisation"), pk=pk)
    services.material_delete(actor=request.user, material=material)
    messages.success(request, _("The material is deleted."))
    return redirect("learning:list")


# --- Answering --------------------------------------------------------------------------------


def _link_problem(request: HttpRequest, *, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "learning/link_problem.html",
        {"title": title, "message": message},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    target = resolve(token)
    if target is None:
        return _link_problem(
            request,
            title=_("This link does not work"),
            message=_(
                "The link is not complete or has been changed. Open it again from your e-mail, "
                "or scan the code on the attendance sheet."
            ),
            status=404,
        )
    questionnaire, registration = target.questionnaire, target.registration
    if not questionnaire.is_open():
        return _link_problem(
            request,
            title=_("This questionnaire is closed"),
            message=_("It no longer takes answers. Thank you for your interest!"),
            status=410,
        )
    existing = services.existing_response(questionnaire, registration)
    if existing is not None and not questionnaire.allow_editing:
        return render(
            request,
            "learning/answered.html",
            {"questionnaire": questionnaire, "already": True},
        )
    initial = AnswerForm.initial_from(existing) if existing is not None else None
    form = AnswerForm(request.POST or None, initial=initial, questionnaire=questionnaire)
    status = 200
    if request.method == "POST":
        if not ratelimit.allow(
            scope="learning.answer",
            key=ratelimit.client_key(request),
            limit=ANSWER_LIMIT,
            period=ANSWER_PERIOD,
        ):
            form.add_error(
                None, _("Too many answers from this device just now. Please try again in an hour.")
            )
            status = 429
        elif form.is_valid():
            try:
                services.response_submit(
                    questionnaire=questionnaire,
                    registration=registration,
                    answers=form.answers(),
                    code=form.cleaned_data.get("code", ""),
                    language=get_language() or "en",
                )
            except ValidationError as error:
                _errors_to_form(form, error)
                status = 400
            except services.AnswerError as error:
                return render(
                    request,
                    "learning/answered.html",
                    {"questionnaire": questionnaire, "already": error.code == "answered"},
                    status=409 if error.code == "answered" else 410,
                )
            else:
                return render(
                    request,
                    "learning/answered.html",
                    {"questionnaire": questionnaire, "already": False},
                )
        else:
            status = 400
    return render(
        request,
        "learning/answer.html",
        {
            "questionnaire": questionnaire,
            "form": form,
            "editing": existing is not None,
        },
        status=status,
    )


def _errors_to_form(form: AnswerForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.message_dict.items():
        name = f"q{key}"
        form.add_error(name if name in form.fields else None, errors)


# --- Coordinators: questionnaires and results --------------------------------------------------


def _managed_activity(request: HttpRequest, slug: str) -> Activity:
    activity = get_object_or_404(Activity.objects.select_related("project"), slug=slug)
    require(can_manage_activity(request.user, activity))
    return activity


def _managed_questionnaires(user: Any) -> QuerySet[ActivityQuestionnaire]:
    questionnaires = ActivityQuestionnaire.objects.select_related("activity", "template")
    if is_project_admin(user):
        return questionnaires
    return questionnaires.filter(
        activity__organisers__memberships__user=user,
        activity__organisers__memberships__role=Membership.Role.COORDINATOR,
    ).distinct()


@login_required
@require_http_methods(["GET", "POST"])
def activity_questionnaires(request: HttpRequest, slug: str) -> HttpResponse:
    activity = _managed_activity(request, slug)
    form = AttachForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.questionnaire_attach(
                actor=request.user,
                activity=activity,
                template=form.cleaned_data["template"],
                phase=form.cleaned_data["phase"],
                allow_editing=form.cleaned_data["allow_editing"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The questionnaire is attached."))
            return redirect("learning:activity_questionnaires", slug=activity.slug)
    questionnaires = list(selectors.questionnaires_of(activity))
    for questionnaire in questionnaires:
        questionnaire.open_url = answer_url(questionnaire, language=get_language())
    return render(
        request,
        "learning/manage/activity_questionnaires.html",
        {"activity": activity, "form": form, "questionnaires": questionnaires},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def questionnaire_invite(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(
        ActivityQuestionnaire.objects.select_related("activity"), pk=pk
    )
    try:
        count = services.invitations_send(actor=request.user, questionnaire=questionnaire)
    except services.AnswerError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            ngettext(
                "The questionnaire is sent to %(count)d person.",
                "The questionnaire is sent to %(count)d people.",
                count,
            )
            % {"count": count},
        )
    return redirect("learning:activity_questionnaires", slug=questionnaire.activity.slug)


@login_required
@require_safe
def results_index(request: HttpRequest) -> HttpResponse:
    is_coordinator = Membership.objects.filter(
        user=request.user, role=Membership.Role.COORDINATOR
    ).exists()
    require(is_project_admin(request.user) or is_coordinator)
    rows = list(
        _managed_questionnaires(request.user)
        .order_by("activity__planned_start", "activity_id", "id")
        .annotate(response_total=Count("responses", distinct=True))
    )
    template_ids = {q.template_id for q in rows}
    return render(
        request,
        "learning/results_index.html",
        {
            "questionnaires": rows,
            "templates": QuestionnaireTemplate.objects.filter(pk__in=template_ids),
        },
    )


def _results_context(questionnaires: QuerySet[ActivityQuestionnaire]) -> dict[str, Any]:
    found = selectors.results(questionnaires=questionnaires, with_texts=True)
    for result in found.questions:
        rows = [(b.label, [b.count]) for b in result.buckets]
        if result.before_buckets:
            rows = [
                (b.label, [before.count, b.count])
                for b, before in zip(result.buckets, result.before_buckets, strict=True)
            ]
        result.chart = charts.bar_chart(rows) if rows else None
    domain_chart = charts.bar_chart(
        [(d.label, [d.median_before, d.median_now]) for d in found.domains], maximum=5
    )
    # The share improved, not the median change: a change can be negative and a bar cannot.
    linked_chart = charts.bar_chart(
        [(change.label, [change.share_improved]) for change in found.linked_changes], maximum=100
    )
    return {
        "results": found,
        "domain_chart": domain_chart,
        "linked_chart": linked_chart,
        "responses": figure(found.responses, people=found.responses),
    }


@login_required
@require_safe
def results_questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(
        ActivityQuestionnaire.objects.select_related("activity", "template"), pk=pk
    )
    require(can_manage_activity(request.user, questionnaire.activity))
    context = _results_context(ActivityQuestionnaire.objects.filter(pk=questionnaire.pk))
    response = render(
        request,
        "learning/results.html",
        {**context, "questionnaire": questionnaire, "template": questionnaire.template},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def results_template(request: HttpRequest, code: str) -> HttpResponse:
    template = get_object_or_404(QuestionnaireTemplate, code=code)
    questionnaires = _managed_questionnaires(request.user).filter(template=template)
    if not questionnaires.exists():
        raise Http404
    context = _results_context(ActivityQuestionnaire.objects.filter(pk__in=questionnaires))
    response = render(
        request,
        "learning/results.html",
        {**context, "questionnaire": None, "template": template},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    questionnaire = get_object_or_404(
        ActivityQuestionnaire.objects.select_related("activity", "template"), pk=pk
    )
    require(can_manage_activity(request.user, questionnaire.activity))
    found = selectors.results(questionnaires=ActivityQuestionnaire.objects.filter(pk=pk))
    header, rows = results_table(found)
    name = f"{questionnaire.activity.slug}-{questionnaire.template.code}"
    if fmt == "csv":
        body, content_type = as_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = as_xlsx(header, rows, title=_("Results"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-results.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
