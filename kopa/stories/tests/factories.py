"""Factories: each test builds the stories it needs, visibly."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from kopa.accounts.models import Membership, Organisation
from kopa.accounts.tests.factories import make_member, make_organisation
from kopa.programme.tests.factories import make_notice
from kopa.stories import services
from kopa.stories.models import Consent, Story, Teller

_sequence = itertools.count(1)

ALL_SCOPES = list(services.SCOPES)


def make_editor(organisation: Organisation | None = None) -> Any:
    return make_member(organisation or make_organisation(), Membership.Role.EDITOR)


def make_coordinator(organisation: Organisation) -> Any:
    return make_member(organisation, Membership.Role.COORDINATOR)


def make_teller(organisation: Organisation, **fields: Any) -> Teller:
    number = next(_sequence)
    fields.setdefault("naming", Teller.Naming.NAME)
    fields.setdefault("name", f"Teller {number}")
    return Teller.objects.create(organisation=organisation, **fields)


def make_story(*, editor: Any, organisation: Organisation, **fields: Any) -> Story:
    number = next(_sequence)
    fields.setdefault("title", {"en": f"Story {number}", "lv": f"Stāsts {number}"})
    fields.setdefault("text", {"en": f"What was told, {number}.", "lv": f"Kas stāstīts {number}."})
    fields.setdefault("original_language", "lv")
    fields.setdefault("visibility", Story.Visibility.PUBLIC)
    teller = fields.pop("teller", None) or make_teller(organisation)
    return services.story_create(actor=editor, organisation=organisation, teller=teller, **fields)


def record_consent(
    story: Story, *, editor: Any, scopes: list[str] | None = None, witness: Any = None
) -> Consent:
    witness = witness or make_coordinator(story.organisation)
    return services.consent_record(
        actor=editor,
        story=story,
        given_by=Consent.GivenBy.TELLER,
        given_by_name="Teller",
        given_on=dt.date(2025, 3, 1),
        method=Consent.Method.ORAL,
        witness=witness,
        scopes=ALL_SCOPES if scopes is None else scopes,
        notice=make_notice(),
    )


def make_public_story(*, editor: Any, organisation: Organisation, **fields: Any) -> Story:
    """A story published for everyone with a full consent."""
    scopes = fields.pop("scopes", None)
    witness = fields.pop("witness", None)
    story = make_story(editor=editor, organisation=organisation, **fields)
    record_consent(story, editor=editor, scopes=scopes, witness=witness)
    story = services.story_transition(actor=editor, story=story, to=Story.Status.REVIEW)
    return services.story_transition(actor=editor, story=story, to=Story.Status.PUBLISHED)
