"""Public pages of the archive: the list, a story, a recipe card, the feed, the export, and the
teller's withdrawal link.

These pages are deliberately not cached (kopa.core.cache): a withdrawal must take a story off
every page at once, and a cached copy in each worker would keep showing it for a while.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from kopa.core import ratelimit
from kopa.core.structured_data import json_ld_script
from kopa.stories import publishing, selectors, services
from kopa.stories.forms import ArchiveFilterForm
from kopa.stories.links import consent_from_token
from kopa.stories.models import Story
from kopa.stories.recipes import SYSTEMS, convert, system_from, unit_label
from kopa.stories.search import ranked_story_ids

PAGE_SIZE = 20
WITHDRAWALS_PER_HOUR = 20


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]


@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    form = ArchiveFilterForm(request.GET or None, options=selectors.filter_options())
    filters: dict = {}
    query = ""
    if form.is_valid():
        query = form.cleaned_data.pop("q", "").strip()
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    ids = ranked_story_ids(query) if query else None
    stories = selectors.archive(user=request.user, ids=ids, **filters)
    if ids is not None:
        rank = {pk: position for position, pk in enumerate(ids)}
        stories = sorted(stories, key=lambda story: rank.get(story.pk, len(rank)))
    page = Paginator(stories, PAGE_SIZE).get_page(request.GET.get("page"))
    for story in page.object_list:
        story.public_photo = next(
            (photo for photo in story.photos.all() if photo.is_public_with(story)), None
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "stories/archive.html",
        {"form": form, "page": page, "query": params.urlencode(), "searched": query},
    )


def _visible_story(request: HttpRequest, public_id: str) -> Story:
    story = selectors.story_detail(public_id=public_id)
    if story is None or not services.can_view_story(request.user, story):
        raise Http404
    return story


def _recipe_context(request: HttpRequest, story: Story) -> dict:
    system = system_from(request.GET.get("units"))
    lines = []
    for ingredient in story.ingredients.all():
        amount = convert(ingredient.quantity, ingredient.unit, system)
        lines.append(
            {
                "quantity": amount.quantity,
                "unit": unit_label(amount.unit),
                "item": ingredient.item,
                "note": ingredient.note,
            }
        )
    return {"units": system, "unit_systems": SYSTEMS.items(), "ingredient_lines": lines}


@require_safe
def story_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    story = _visible_story(request, public_id)
    editor = services.can_edit_story(request.user, story)
    photos = [photo for photo in story.photos.all() if photo.is_public_with(story)]
    recordings = [r for r in story.recordings.all() if r.is_public_with(story)]
    related = [
        other
        for other in story.related.all()
        if other.status == Story.Status.PUBLISHED
        and other.consent is not None
        and other.consent.publish_text
        and other.visibility == Story.Visibility.PUBLIC
    ]
    context = {
        "story": story,
        "is_editor": editor,
        "photos": photos,
        "recordings": recordings,
        "related": related,
        "credits": story.translation_credits.all(),
        "json_ld": json_ld_script(
            publishing.story_json_ld(story, base_url=_base_url(request), photos=photos)
        )
        if story.is_public
        else None,
    }
    if story.is_recipe:
        context.update(_recipe_context(request, story))
    response = render(request, "stories/story_detail.html", context)
    if not story.is_public:
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def recipe_card(request: HttpRequest, public_id: str) -> HttpResponse:
    """A one-page card to print (the browser's print; print CSS hides the site's frame)."""
    story = _visible_story(request, public_id)
    if not story.is_recipe:
        raise Http404
    context = {"story": story, **_recipe_context(request, story)}
    return render(request, "stories/recipe_card.html", context)


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    body = publishing.atom_feed(
        base_url=_base_url(request),
        language=get_language(),
        feed_url=request.path,
        archive_url=reverse("stories:archive"),
    )
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@require_safe
def export(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        publishing.export_records(base_url=_base_url(request)),
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The teller's private link: a page that explains, and a button that withdraws."""
    if request.method == "POST" and not ratelimit.allow(
        scope="stories.withdraw",
        key=ratelimit.client_key(request),
        limit=WITHDRAWALS_PER_HOUR,
        period=60 * 60,
    ):
        # Guessing links would be hopeless anyway (signed); this keeps the flood cheap.
        return render(request, "stories/withdraw.html", {"state": "too_many"}, status=429)
    consent = consent_from_token(token)
    if consent is None:
        return render(request, "stories/withdraw.html", {"state": "invalid"}, status=404)
    if consent.withdrawn_at is not None:
        return render(
            request, "stories/withdraw.html", {"state": "already", "consent": consent}, status=410
        )
    if request.method == "POST":
        try:
            services.consent_withdraw(consent=consent)
        except services.WithdrawalError:
            return render(
                request,
                "stories/withdraw.html",
                {"state": "already", "consent": consent},
                status=410,
            )
        return render(request, "stories/withdraw.html", {"state": "done", "consent": consent})
    response = render(request, "stories/withdraw.html", {"state": "confirm", "consent": consent})
    response["X-Robots-Tag"] = "noindex"
    return response
