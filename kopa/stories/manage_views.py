"""Editors' pages: every story of their organisations, the forms, the workflow, consent, media and
the book. Each view checks the role; the services check it again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kopa.accounts.permissions import require
from kopa.core.i18n import raw_translations
from kopa.programme.documents import attachment_filename
from kopa.stories import media_services, selectors, services
from kopa.stories.book import book_pdf
from kopa.stories.forms import (
    AudioForm,
    BookForm,
    ConsentForm,
    IngredientFormSet,
    NewStoryForm,
    PhotoForm,
    StepFormSet,
    StoryForm,
    TranslationCreditForm,
    recipe_rows,
)
from kopa.stories.models import Consent, Story, StoryAudio, StoryPhoto

CONFLICT = gettext_lazy(
    "Someone else saved this story while you were editing it. Your changes are not saved. "
    "Open the page again to see their version."
)


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


MEDIA_KINDS = ("photo", "recording")


def _editable_story(request: HttpRequest, public_id: str, kind: str = "photo") -> Story:
    if kind not in MEDIA_KINDS:
        raise Http404
    story = get_object_or_404(
        Story.objects.select_related("organisation", "teller", "consent"), public_id=public_id
    )
    require(services.can_edit_story(request.user, story))
    return story


@login_required
@require_safe
def story_list(request: HttpRequest) -> HttpResponse:
    organisations = services.editable_organisations(request.user)
    stories = selectors.editors_stories(organisations=organisations) if organisations else []
    return _private(
        render(
            request,
            "stories/manage/story_list.html",
            {"stories": stories, "is_editor": bool(organisations)},
        )
    )


def _recipe_formsets(request: HttpRequest, story: Story | None) -> tuple[Any, Any]:
    data = request.POST if request.method == "POST" else None
    ingredients_initial = steps_initial = None
    if story is not None:
        ingredients_initial = [
            {
                "quantity": i.quantity,
                "unit": i.unit,
                "item": raw_translations(i.item),
                "note": raw_translations(i.note),
            }
            for i in story.ingredients.all()
        ]
        steps_initial = [{"text": raw_translations(s.text)} for s in story.steps.all()]
    return (
        IngredientFormSet(data, prefix="ingredients", initial=ingredients_initial),
        StepFormSet(data, prefix="steps", initial=steps_initial),
    )


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest) -> HttpResponse:
    organisations = services.editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    form = NewStoryForm(request.POST or None, organisations=organisations)
    ingredients, steps = _recipe_formsets(request, None)
    if request.method == "POST" and form.is_valid() and ingredients.is_valid() and steps.is_valid():
        data = form.cleaned_data
        ingredient_rows, step_rows = recipe_rows(ingredients, steps)
        try:
            with transaction.atomic():
                teller = services.teller_create(
                    actor=request.user,
                    organisation=data["organisation"],
                    naming=data["teller_naming"],
                    name=data["teller_name"],
                    pseudonym=data["teller_pseudonym"],
                    email=data["teller_email"] or "",
                )
                story = services.story_create(
                    actor=request.user,
                    organisation=data["organisation"],
                    teller=teller,
                    themes=data["themes"],
                    holidays=data["holidays"],
                    related=data["related"],
                    ingredients=ingredient_rows,
                    steps=step_rows,
                    **form.story_fields(),
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The story is saved as a draft."))
            return redirect("stories:manage_story", public_id=story.public_id)
    return _private(
        render(
            request,
            "stories/manage/story_form.html",
            {"form": form, "ingredients": ingredients, "steps": steps, "story": None},
        )
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def story_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    story = _editable_story(request, public_id)
    form = StoryForm(request.POST or None, instance=story, organisation=story.organisation)
    ingredients, steps = _recipe_formsets(request, story)
    if request.method == "POST" and form.is_valid() and ingredients.is_valid() and steps.is_valid():
        ingredient_rows, step_rows = recipe_rows(ingredients, steps)
        try:
            services.story_update(
                actor=request.user,
                story=story,
                expected_version=form.cleaned_data["version"],
                themes=form.cleaned_data["themes"],
                holidays=form.cleaned_data["holidays"],
                related=form.cleaned_data["related"],
                ingredients=ingredient_rows,
                steps=step_rows,
                **form.story_fields(),
            )
        except services.EditConflict:
            form.add_error(None, CONFLICT)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("stories:manage_story", public_id=story.public_id)
    status = 409 if form.non_field_errors() and request.method == "POST" else 200
    return _private(
        render(
            request,
            "stories/manage/story_form.html",
            {"form": form, "ingredients": ingredients, "steps": steps, "story": story},
            status=status,
        )
    )


@login_required
@require_safe
def story_manage(request: HttpRequest, public_id: str) -> HttpResponse:
    story = _editable_story(request, public_id)
    moves = [
        (to, verb) for (origin, to), verb in services.TRANSITIONS.items() if origin == story.status
    ]
    return _private(
        render(
            request,
            "stories/manage/story_manage.html",
            {
                "story": story,
                "moves": moves,
                "consents": story.consents.select_related("witness", "notice"),
                "photos": story.photos.all(),
                "recordings": story.recordings.all(),
                "credits": story.translation_credits.all(),
                "credit_form": TranslationCreditForm(),
            },
        )
    )


@login_required
@require_POST
def story_status(request: HttpRequest, public_id: str) -> HttpResponse:
    story = _editable_story(request, public_id)
    try:
        services.story_transition(actor=request.user, story=story, to=request.POST.get("to", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The story's status is changed."))
    return redirect("stories:manage_story", public_id=story.public_id)


@login_required
@require_POST
def translation_credit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Mark one language of the story as translated, by whom and when."""
    story = _editable_story(request, public_id)
    form = TranslationCreditForm(request.POST)
    if form.is_valid():
        try:
            services.translation_credit_set(actor=request.user, story=story, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The translation is credited."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("stories:manage_story", public_id=story.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def consent_record(request: HttpRequest, public_id: str) -> HttpResponse:
    story = _editable_story(request, public_id)
    form = ConsentForm(request.POST or None, request.FILES or None, story=story)
    notice = services.current_notice()
    if notice is None:
        form.add_error(None, _("No privacy notice is published yet; consent cannot be recorded."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                story=story,
                given_by=data["given_by"],
                given_by_name=data["given_by_name"],
                given_on=data["given_on"],
                method=data["method"],
                scopes=data["scopes"],
                notice=notice,
                witness=data["witness"],
                form_upload=data["form_file"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("stories:manage_story", public_id=story.public_id)
    return _private(
        render(
            request,
            "stories/manage/consent_form.html",
            {"form": form, "story": story, "notice": notice},
            status=400 if form.errors and request.method == "POST" else 200,
        )
    )


@login_required
@require_safe
def consent_form_file(request: HttpRequest, public_id: str, pk: int) -> FileResponse:
    story = _editable_story(request, public_id)
    consent = get_object_or_404(Consent, pk=pk, story=story)
    if not consent.form_file:
        raise Http404
    response = FileResponse(
        default_storage.open(consent.form_file, "rb"), content_type=consent.form_content_type
    )
    response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


@login_required
@require_http_methods(["GET", "POST"])
def media_upload(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    story = _editable_story(request, public_id, kind)
    form_class = PhotoForm if kind == "photo" else AudioForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == "photo":
                media_services.photo_add(
                    actor=request.user,
                    story=story,
                    upload=data["image"],
                    caption=data["caption"],
                    credit=data["credit"],
                    shows_others=data["shows_others"],
                    others_consented=data["others_consented"],
                )
            else:
                media_services.audio_add(
                    actor=request.user,
                    story=story,
                    upload=data["recording"],
                    caption=data["caption"],
                    credit=data["credit"],
                    transcript=data["transcript"],
                )
        except ValidationError as error:
            form.add_error("image" if kind == "photo" else "recording", error)
        else:
            messages.success(request, _("The file is stored."))
            return redirect("stories:manage_story", public_id=story.public_id)
    return _private(
        render(
            request,
            "stories/manage/media_form.html",
            {"form": form, "story": story, "kind": kind},
            status=400 if form.errors else 200,
        )
    )


@login_required
@require_POST
def media_remove(request: HttpRequest, public_id: str, kind: str, pk: int) -> HttpResponse:
    story = _editable_story(request, public_id, kind)
    model = StoryPhoto if kind == "photo" else StoryAudio
    item = get_object_or_404(model, pk=pk, story=story)
    media_services.media_remove(actor=request.user, item=item)
    messages.success(request, _("The file is removed."))
    return redirect("stories:manage_story", public_id=story.public_id)


@login_required
@require_safe
def media_file(request: HttpRequest, public_id: str, kind: str, pk: int, name: str) -> Any:
    """Editors see every photo and recording, public or not; never cached."""
    story = _editable_story(request, public_id, kind)
    if kind == "photo":
        photo = get_object_or_404(StoryPhoto, pk=pk, story=story)
        if name not in {size["name"] for size in photo.sizes}:
            raise Http404
        storage_name, content_type = photo.storage_name(name), "image/webp"
    else:
        recording = get_object_or_404(StoryAudio, pk=pk, story=story)
        if name != recording.file_name:
            raise Http404
        storage_name, content_type = recording.storage_name(), recording.content_type
    try:
        handle = default_storage.open(storage_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    organisations = services.editable_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    form = BookForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pdf, _made = book_pdf(
            actor=request.user,
            title=data["title"],
            language=data["language"],
            story_ids=[story.pk for story in data["stories"]],
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{attachment_filename(data["title"])}"'
        )
        return _private(response)
    return _private(render(request, "stories/manage/book_form.html", {"form": form}))
