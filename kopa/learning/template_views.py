"""Coordinators' own questionnaire templates: the list, a new one, editing one, copying one.

The shipped templates are read-only here (a copy can be changed); a template with answers keeps
questions whose answers would lose their meaning (services.ANSWERED_MESSAGE).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kopa.accounts.permissions import is_project_admin, require
from kopa.core.ids import row_id
from kopa.learning import services
from kopa.learning.forms import TemplateForm, TemplateQuestionForm
from kopa.learning.models import QuestionnaireTemplate, TemplateQuestion

CONFLICT_MESSAGE = _(
    "Someone else changed this questionnaire after you opened it. Open it again to see their "
    "changes, then make yours."
)


def _organisations(request: HttpRequest) -> list:
    organisations = services.template_organisations(request.user)
    require(bool(organisations))
    return organisations


@login_required
@require_safe
def template_list(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    own = Q(organisation__in=organisations)
    if is_project_admin(request.user):
        own = Q(is_shipped=False)
    templates = (
        QuestionnaireTemplate.objects.filter(Q(is_shipped=True) | own)
        .select_related("organisation")
        .annotate(question_count=Count("questions", distinct=True))
        .order_by("-is_shipped", "organisation__slug", "-created", "pk")
    )
    return render(
        request,
        "learning/manage/template_list.html",
        {"templates": templates, "organisations": organisations},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    form = TemplateForm(
        request.POST or None,
        instance=QuestionnaireTemplate(organisation=organisations[0]),
        organisations=organisations,
    )
    if request.method == "POST" and form.is_valid():
        template = services.template_save(actor=request.user, template=form.save(commit=False))
        messages.success(request, _("The questionnaire is created. Now add its questions."))
        return redirect("learning:template_edit", pk=template.pk)
    return render(
        request,
        "learning/manage/template_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisations = _organisations(request)
    template = get_object_or_404(
        QuestionnaireTemplate.objects.select_related("organisation"), pk=pk
    )
    # Another organisation's template, or a shipped one, is not there for this person to see.
    if not services.can_edit_template(request.user, template):
        raise Http404
    action = request.POST.get("action", "")
    picked = request.GET.get("question") or request.POST.get("question") or ""
    editing = None
    if picked:
        question_id = row_id(picked)
        if question_id is None:  # a made-up id finds no question: 404, not 500
            raise Http404
        editing = get_object_or_404(TemplateQuestion, pk=question_id, template=template)
    template_form = TemplateForm(
        request.POST if action == "template" else None,
        instance=template,
        organisations=organisations,
        prefix="template",
    )
    question_form = TemplateQuestionForm(
        request.POST if action in ("save", "delete") else None,
        instance=editing,
        template=template,
        prefix="question",
    )
    conflict = False
    try:
        if action == "template" and template_form.is_valid():
            services.template_save(
                actor=request.user,
                template=template_form.save(commit=False),
                expected_version=template_form.cleaned_data.get("version"),
            )
            messages.success(request, _("The questionnaire is saved."))
            return redirect("learning:template_edit", pk=template.pk)
        if action == "delete" and editing is not None:
            services.template_question_delete(
                actor=request.user,
                question=editing,
                expected_version=_version(request),
            )
            messages.success(request, _("The question is removed."))
            return redirect("learning:template_edit", pk=template.pk)
        if action == "save" and question_form.is_valid():
            services.template_question_save(
                actor=request.user,
                template=template,
                question=question_form.save(commit=False),
                expected_version=question_form.cleaned_data.get("version"),
            )
            messages.success(request, _("The question is saved."))
            return redirect("learning:template_edit", pk=template.pk)
    except services.TemplateConflict:
        conflict = True
        (template_form if action == "template" else question_form).add_error(None, CONFLICT_MESSAGE)
    except ValidationError as error:
        _add_errors(template_form if action == "template" else question_form, error)
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(
        request,
        "learning/manage/template_edit.html",
        {
            "template": template,
            "template_form": template_form,
            "question_form": question_form,
            "editing": editing,
            "questions": template.questions.order_by("position", "id"),
            "answered": services.template_is_answered(template),
        },
        status=status,
    )


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    """The service's errors next to their fields when the form has them, else above it."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        form.add_error(None, error)
    else:
        form.add_error(None, error.messages)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("question-version", "")
    return int(value) if value.isdecimal() else None


@login_required
@require_POST
def template_copy(request: HttpRequest, pk: int) -> HttpResponse:
    organisations = _organisations(request)
    template = get_object_or_404(QuestionnaireTemplate, pk=pk)
    if not (template.is_shipped or services.can_edit_template(request.user, template)):
        raise Http404
    chosen = request.POST.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    try:
        copy = services.template_copy(
            actor=request.user, template=template, organisation=organisation
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learning:templates")
    messages.success(request, _("This is your copy: give it a title of its own."))
    return redirect("learning:template_edit", pk=copy.pk)
