from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kopa.accounts.permissions import require
from kopa.core import ratelimit
from kopa.core.cache import cache_public_page
from kopa.core.countries import country_choices, language_name, spoken_language_choices
from kopa.core.models import PrivacyNotice
from kopa.core.structured_data import json_ld_script
from kopa.programme import selectors, services
from kopa.programme.calendar import calendar_bytes, programme_calendar_name
from kopa.programme.forms import AnswersForm, ProgrammeFilterForm, RegistrationForm
from kopa.programme.links import (
    private_path,
    registration_from_checkin_token,
    registration_from_private_token,
)
from kopa.programme.models import Activity, FewerOpportunities, Registration, TargetGroup
from kopa.programme.structured_data import activity_json_ld

PAGE_SIZE = 20
TOO_MANY_REGISTRATIONS = gettext_lazy(
    "There have been too many registrations from here in the last hour. Please wait a while "
    "and try again, or ask the library to register you."
)


@cache_public_page()
@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    options = selectors.programme_filter_options()
    form = ProgrammeFilterForm(
        request.GET or None,
        kinds=options["kinds"],
        countries=country_choices(),
        languages=spoken_language_choices(),
        groups=options["groups"],
    )
    filters = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    page = Paginator(selectors.programme_list(**filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.attach_seat_counts(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programme/programme_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@cache_public_page()
@require_safe
def project_plan(request: HttpRequest) -> HttpResponse:
    project = selectors.project_current()
    plan = list(selectors.activity_plan(project=project)) if project else []
    return render(
        request,
        "programme/plan.html",
        {"project": project, "plan": plan, "held_count": sum(a.is_held for a in plan)},
    )


def _current_notice() -> PrivacyNotice | None:
    return PrivacyNotice.objects.order_by("-version").first()


@cache_public_page()
@require_safe
def activity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    activity = selectors.activity_detail(slug=slug)
    if activity is None:
        raise Http404
    state = activity.registration_state()
    return render(
        request,
        "programme/activity_detail.html",
        {
            "activity": activity,
            "state": state,
            "closed_message": services.CLOSED_MESSAGES.get(state),
            "json_ld": json_ld_script(
                activity_json_ld(activity, base_url=request.build_absolute_uri("/")[:-1])
            ),
            "working_languages": [language_name(code) for code in activity.working_languages],
        },
    )


@require_http_methods(["GET", "POST"])
def activity_register(request: HttpRequest, slug: str) -> HttpResponse:
    """The registration form, on a page of its own so the activity page can be cached."""
    activity = selectors.activity_detail(slug=slug)
    if activity is None:
        raise Http404
    state = activity.registration_state()
    notice = _current_notice()
    if state != "open" or notice is None:
        if request.method == "POST":
            messages.error(request, services.CLOSED_MESSAGES.get(state, ""))
            return redirect(request.path)
        return render(
            request,
            "programme/register.html",
            {
                "activity": activity,
                "form": None,
                "closed_message": services.CLOSED_MESSAGES.get(state),
            },
        )
    form = RegistrationForm(request.POST or None, activity=activity)
    if request.method == "POST" and not ratelimit.allow(
        scope="registration",
        key=ratelimit.client_key(request),
        limit=settings.KOPA_REGISTRATIONS_PER_HOUR,
        period=60 * 60,
    ):
        # Checked before the form: a flood of registrations stores nothing and sends no mail.
        form.is_valid()
        form.add_error(None, TOO_MANY_REGISTRATIONS)
        return render(
            request,
            "programme/register.html",
            {"activity": activity, "form": form, "state": state},
            status=429,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                activity=activity,
                name=data["name"],
                email=data["email"],
                country=data["country"],
                organisation_name=data["organisation_name"],
                participant_group=TargetGroup.objects.filter(
                    pk=form.participant_group_id()
                ).first(),
                languages=data["languages"],
                answers=form.answers(),
                language=get_language(),
                consent_notice=notice,
                fewer_opportunities=data["fewer_opportunities"],
                fewer_opportunities_consent=data["fewer_opportunities_consent"],
            )
        except services.RegistrationError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            _add_answer_errors(form, error)
        else:
            return redirect(private_path(registration, get_language()) + "?new=1")
    return render(
        request, "programme/register.html", {"activity": activity, "form": form, "state": state}
    )


def _add_answer_errors(form: RegistrationForm | AnswersForm, error: ValidationError) -> None:
    for key, messages_ in error.message_dict.items():
        field = f"q_{key}"
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _registration_or_404(token: str) -> Registration:
    registration = registration_from_private_token(token)
    if registration is None:
        raise Http404
    return registration


@require_http_methods(["GET", "POST"])
def registration_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The participant's own page, opened by the private link: status, answers, cancel."""
    registration = _registration_or_404(token)
    if services.private_link_expired(registration):
        return render(request, "programme/link_expired.html", status=410)
    activity = registration.activity
    if request.method == "POST" and "remove_fewer_opportunities" in request.POST:
        # The declaration is taken back from the same private page that shows it.
        if services.fewer_opportunities_withdraw(registration=registration):
            messages.success(request, _("Your answer about fewer opportunities is removed."))
        return redirect(request.path)
    form = None
    if registration.is_active and activity.questions.exists():
        form = AnswersForm(
            request.POST or None,
            activity=activity,
            initial={f"q_{key}": _initial(value) for key, value in registration.answers.items()},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.registration_update_answers(
                    registration=registration, answers=form.answers()
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            except ValidationError as error:
                _add_answer_errors(form, error)
            else:
                messages.success(request, _("Your answers are saved."))
                return redirect(request.path)
    elif request.method == "POST":
        return redirect(request.path)
    return render(
        request,
        "programme/registration_detail.html",
        {
            "registration": registration,
            "activity": activity,
            "form": form,
            "is_new": request.GET.get("new") == "1",
            "waiting_position": _waiting_position(registration),
            "answers": _answer_rows(registration),
            "fewer_opportunities": FewerOpportunities.objects.filter(
                registration=registration
            ).first(),
        },
    )


def _initial(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _answer_rows(registration: Registration) -> list[tuple[str, str]]:
    rows = []
    for question in registration.activity.questions.all():
        value = registration.answers.get(str(question.pk))
        if value is None:
            continue
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif isinstance(value, int):
            choices = question.choice_list()
            text = choices[value] if value < len(choices) else str(value)
        else:
            text = str(value)
        rows.append((question.label, text))
    return rows


def _waiting_position(registration: Registration) -> int | None:
    from kopa.programme.mail import waiting_position

    return waiting_position(registration)


@require_POST
def registration_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    if services.private_link_expired(registration):
        return render(request, "programme/link_expired.html", status=410)
    try:
        services.registration_cancel(registration=registration)
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your registration is cancelled. Thank you for telling us."))
    return redirect(request.path.rsplit("cancel/", 1)[0])


@require_safe
def activity_ics(request: HttpRequest, slug: str) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.select_related("kind"), slug=slug)
    if activity.starts_at is None:
        raise Http404
    body = calendar_bytes(
        [activity], base_url=request.build_absolute_uri("/")[:-1], name=activity.title.text
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{activity.slug}.ics"'
    return response


@require_safe
def programme_ics(request: HttpRequest) -> HttpResponse:
    """The whole programme as a subscribable feed; ?lang= picks the language of the texts."""
    from django.utils.translation import override

    language = request.GET.get("lang") or get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with override(language):
        activities = (
            Activity.objects.filter(starts_at__isnull=False)
            .select_related("kind")
            .order_by("starts_at")
        )
        body = calendar_bytes(
            activities,
            base_url=request.build_absolute_uri("/")[:-1],
            name=programme_calendar_name(),
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="programme.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def checkin_scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where a participant's QR code leads: a coordinator confirms attendance with one button."""
    registration = registration_from_checkin_token(token)
    if registration is None:
        return render(request, "programme/checkin_invalid.html", status=404)
    require(services.can_manage_activity(request.user, registration.activity))
    if request.method == "POST":
        try:
            services.attendance_mark(actor=request.user, registration=registration, attended=True)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s is checked in.") % {"name": registration.name})
        return redirect(request.path)
    return render(
        request,
        "programme/checkin_scan.html",
        {"registration": registration, "activity": registration.activity, "now": timezone.now()},
    )
