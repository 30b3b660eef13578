"""Fictional demo content of this domain for `kopa seed --demo`.

Three short stories and two recipes (a borscht and a Latvian plātsmaize), told at the demo
soup-and-stories evening, translated, with consent recorded, published for everyone. Everyone in
them is made up. A story is matched by its English title among the demo stories of the demo
library, so a second load changes nothing. Written through the domain's services, so the audit
log and the search index are as for a real story.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from kopa.accounts.models import Organisation, User
from kopa.core.images import process_upload
from kopa.core.models import PrivacyNotice
from kopa.programme.models import Activity
from kopa.site.seeding import SeedReport
from kopa.stories import services
from kopa.stories.models import Consent, Holiday, Story, StoryPhoto, Theme
from kopa.stories.taxonomy import load_shipped

ORGANISATION = "valmiera-library"
EDITOR = "editor@demo.kopa.invalid"
WITNESS = "coordinator.valmiera@demo.kopa.invalid"
ACTIVITY = "demo-soup-and-stories-evening"
TRANSLATOR = "Demo Volunteer Translator"

DEMO_FILE = Path(__file__).resolve().parent / "seed" / "demo.json"


def _stories() -> list[dict[str, Any]]:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))["stories"]


def _illustration(kind: str) -> bytes:
    """A drawn, people-free picture of the dish, as a JPEG with a fake GPS tag the pipeline
    must strip (the demo shows the rule working)."""
    image = Image.new("RGB", (1200, 800), (139, 94, 60))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1200, 60):  # wooden table
        draw.line([(x, 0), (x + 40, 800)], fill=(120, 80, 50), width=6)
    if kind == "borscht":
        draw.ellipse([300, 150, 900, 650], fill=(245, 245, 240))
        draw.ellipse([360, 210, 840, 590], fill=(160, 20, 40))
        draw.ellipse([540, 350, 660, 450], fill=(250, 250, 245))
    else:
        draw.rectangle([200, 180, 1000, 620], fill=(90, 90, 95))
        draw.rectangle([220, 200, 980, 600], fill=(225, 180, 90))
        for x in range(240, 960, 70):
            for y in range(220, 580, 60):
                draw.rectangle([x, y, x + 40, y + 25], fill=(200, 70, 90))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (57.0, 32.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def _add_photo(story: Story, kind: str, caption: dict[str, str]) -> None:
    # Written directly rather than through media_services.photo_add, whose transaction must be
    # the outermost: `kopa seed` loads everything in one transaction.
    upload = SimpleUploadedFile(f"{kind}.jpg", _illustration(kind), content_type="image/jpeg")
    processed = process_upload(upload=upload)
    photo = StoryPhoto(
        story=story,
        key=uuid.uuid4().hex,
        caption=caption,
        original_language="en",
        credit="Demo illustration",
        sizes=[{"name": v.name, "width": v.width, "height": v.height} for v in processed.variants],
        format=processed.format,
    )
    for variant in processed.variants:
        default_storage.save(photo.storage_name(variant.name), ContentFile(variant.data))
    photo.save()


def _ingredients(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "quantity": Decimal(row["quantity"])} for row in rows]


def seed_demo() -> SeedReport:
    report = SeedReport(label="Stories and recipes (demo)")
    load_shipped(Theme, Holiday)
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    editor = User.objects.filter(email=EDITOR).first()
    witness = User.objects.filter(email=WITNESS).first()
    notice = PrivacyNotice.objects.order_by("-version").first()
    if not (organisation and editor and witness and notice):
        return report
    activity = Activity.objects.filter(slug=ACTIVITY).first()
    for item in _stories():
        if Story.objects.filter(
            is_demo=True, organisation=organisation, title__en=item["title"]["en"]
        ).exists():
            report.unchanged += 1
            continue
        _create(
            item,
            organisation=organisation,
            editor=editor,
            witness=witness,
            notice=notice,
            activity=activity,
        )
        report.created += 1
    return report


def _create(
    item: dict[str, Any],
    *,
    organisation: Organisation,
    editor: User,
    witness: User,
    notice: PrivacyNotice,
    activity: Activity | None,
) -> None:
    told_on = dt.date.fromisoformat(item["told_on"])
    teller = services.teller_create(actor=editor, organisation=organisation, **item["teller"])
    story = services.story_create(
        actor=editor,
        organisation=organisation,
        teller=teller,
        themes=Theme.objects.filter(code__in=item["themes"]),
        holidays=Holiday.objects.filter(code__in=item["holidays"]),
        ingredients=_ingredients(item.get("ingredients", [])),
        steps=item.get("steps", []),
        is_demo=True,
        kind=item["kind"],
        title=item["title"],
        summary=item["summary"],
        text=item["text"],
        original_language=item["original_language"],
        activity=activity,
        country=item["country"],
        town=item["town"],
        place_precision=item["place_precision"],
        told_on=told_on,
        date_precision=item["date_precision"],
        visibility=Story.Visibility.PUBLIC,
        servings=item.get("servings"),
        total_minutes=item.get("total_minutes"),
    )
    services.consent_record(
        actor=editor,
        story=story,
        given_by=Consent.GivenBy.TELLER,
        given_by_name=teller.name or teller.pseudonym or "Demo teller",
        given_on=told_on,
        method=Consent.Method.ORAL,
        witness=witness,
        scopes=services.SCOPES,
        notice=notice,
    )
    for language in item["text"]:
        if language != item["original_language"]:
            services.translation_credit_set(
                actor=editor,
                story=story,
                language=language,
                translator=TRANSLATOR,
                translated_on=told_on + dt.timedelta(days=14),
            )
    if "photo" in item:
        _add_photo(story, item["photo"]["drawing"], item["photo"]["caption"])
    story = services.story_transition(actor=editor, story=story, to=Story.Status.REVIEW)
    story = services.story_transition(actor=editor, story=story, to=Story.Status.PUBLISHED)
    # Stories that name the same holiday are related (Jāņi links the plātsmaize and the wreath).
    if item["holidays"]:
        story.related.add(
            *Story.objects.filter(
                is_demo=True, organisation=organisation, holidays__code__in=item["holidays"]
            )
            .exclude(pk=story.pk)
            .distinct()
        )
