"""The world the access matrix walks: the demo content (`kopa seed --demo`) plus a few objects it
lacks, one logged-in client per role, and the values that fill each URL's parameters.

Everything a URL names belongs to the *owning* organisation, Valmiera library, whose demo
coordinator is the "coordinator" role; the Kärdla library's coordinator is "coordinator_other".
Secrets in addresses (private links, questionnaire links, data-request links) are held by the
participant and by every logged-in role, as if the link had been passed on, so the role alone
decides; "anonymous" has no link and tries a forged one of the right shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.access.matrix import ROLES

OWNER = "valmiera-library"
OTHER = "kardla-library"
DEMO = "@demo.kopa.invalid"
LOGINS = {
    "member": "member.one" + DEMO,
    "editor": "editor" + DEMO,
    "coordinator_other": "coordinator.kardla" + DEMO,
    "coordinator": "coordinator.valmiera" + DEMO,
    "admin": "admin" + DEMO,
}
FORGED = "forged-link-0000000000000000"
FORGED_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass
class World:
    """Objects by name, and how to fill each URL's parameters."""

    objects: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def values(self, key: str, parameters: tuple[str, ...], role: str) -> dict[str, str]:
        """{parameter: text} for the URL `key` as `role` sees it."""
        if key.startswith(("admin:", "route:admin/")):
            found = _admin(key)
        else:
            filler = FILLERS.get(key) or FILLERS.get(key.split(":", 1)[0] + ":*")
            found = filler(self, role) if filler else {}
        missing = set(parameters) - set(found)
        if missing:
            raise KeyError(f"{key}: no value for {sorted(missing)} (tests/access/world.py)")
        return {name: str(found[name]) for name in parameters}


def build_world() -> World:
    from kopa.accounts.models import Membership, Organisation, User
    from kopa.programme.models import Activity

    call_command("seed", "--demo", verbosity=0)
    world = World()
    o = world.objects
    o["owner"] = Organisation.objects.get(slug=OWNER)
    o["other"] = Organisation.objects.get(slug=OTHER)
    o["activity"] = (
        Activity.objects.filter(organisers=o["owner"], status="open", is_demo=True)
        .order_by("starts_at")
        .first()
    )
    o["membership"] = Membership.objects.filter(organisation=o["owner"]).order_by("pk").last()
    _programme(world)
    _stories(world)
    _learning(world)
    _reporting(world)
    _circle(world)
    for role in ROLES:
        client = Client()
        if role in LOGINS:
            client.force_login(User.objects.get(email=LOGINS[role]))
        world.clients[role] = client
    return world


def _programme(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from kopa.accounts.models import User
    from kopa.core.models import PrivacyNotice
    from kopa.programme import photo_services, services
    from kopa.programme.models import Registration

    o = world.objects
    registration = services.registration_create(
        activity=o["activity"],
        name="Olena Matrix",
        email="olena.matrix@example.org",
        country="UA",
        language="uk",
        consent_notice=PrivacyNotice.objects.order_by("-version").first(),
    )
    Registration.objects.filter(pk=registration.pk).update(attended_at=timezone.now())
    registration.refresh_from_db()
    o["registration"] = registration
    o["notice"] = PrivacyNotice.objects.order_by("-version").first()

    import io

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (120, 140, 160)).save(buffer, "JPEG")
    coordinator = User.objects.get(email=LOGINS["coordinator"])
    for public in (True, False):
        photo = photo_services.photo_add(
            actor=coordinator,
            activity=o["activity"],
            upload=SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg"),
            caption={"en": "Reading together"},
            people_consented=public,
        )
        o["public_photo" if public else "private_photo"] = photo


def _stories(world: World) -> None:
    from kopa.stories.models import Consent, Story, StoryPhoto

    o = world.objects
    o["story"] = Story.objects.filter(organisation=o["owner"]).order_by("pk").first()
    o["story_photo"] = StoryPhoto.objects.filter(story__organisation=o["owner"]).first()
    if o["story_photo"] is not None:
        o["story"] = o["story_photo"].story
    o["consent"] = Consent.objects.filter(story=o["story"]).first()


def _learning(world: World) -> None:
    from kopa.accounts.models import User
    from kopa.learning import services
    from kopa.learning.models import ActivityQuestionnaire, Material, QuestionnaireTemplate

    o = world.objects
    o["material"] = (
        Material.objects.filter(organisation=o["owner"], visibility="circle").order_by("pk").first()
    )
    o["material_with_file"] = (
        Material.objects.filter(organisation=o["owner"])
        .exclude(file_name="")
        .order_by("pk")
        .first()
    )
    o["questionnaire"] = ActivityQuestionnaire.objects.order_by("pk").first()
    o["template"] = QuestionnaireTemplate.objects.order_by("pk").first()
    o["own_template"] = services.template_save(
        actor=User.objects.get(email=LOGINS["coordinator"]),
        template=QuestionnaireTemplate(organisation=o["owner"], title={"en": "Library feedback"}),
    )


def _reporting(world: World) -> None:
    from kopa.accounts.models import User
    from kopa.programme.models import Activity, Project
    from kopa.reporting.reports import REGISTRY
    from kopa.reporting.services import report_freeze

    o = world.objects
    o["project"] = Project.objects.filter(grant__isnull=False).order_by("pk").first()
    o["project_activity"] = (
        Activity.objects.filter(project=o["project"], organisers=o["owner"]).order_by("pk").first()
    )
    admin = User.objects.get(email=LOGINS["admin"])
    grant = o["project"].grant
    o["frozen"] = report_freeze(
        actor=admin,
        grant=grant,
        code=next(iter(REGISTRY)),
        start=grant.start_date,
        end=grant.end_date,
    )


def _circle(world: World) -> None:
    from kopa.circle.models import (
        MemberProfile,
        Organization,
        Service,
        ServiceAtLocation,
        Suggestion,
        Taxonomy,
        TaxonomyTerm,
    )

    o = world.objects
    o["service"] = Service.objects.order_by("pk").first()
    o["hsds_organization"] = Organization.objects.order_by("pk").first()
    o["taxonomy"] = Taxonomy.objects.order_by("pk").first()
    o["taxonomy_term"] = TaxonomyTerm.objects.order_by("pk").first()
    o["service_at_location"] = ServiceAtLocation.objects.order_by("pk").first()
    # Someone else's profile for every role: writing to oneself is refused, which is another rule.
    o["profile"] = (
        MemberProfile.objects.exclude(user__email__in=LOGINS.values()).order_by("pk").first()
    )
    o["suggestion"] = Suggestion.objects.order_by("pk").first()


# --- Filling parameters -------------------------------------------------------------------------


def _link(role: str, real: Callable[[], str]) -> str:
    return FORGED if role == "anonymous" else real()


def _private_token(world: World) -> str:
    from kopa.programme.links import private_token

    return private_token(world.objects["registration"])


def _checkin_token(world: World) -> str:
    from kopa.programme.links import checkin_token

    return checkin_token(world.objects["registration"])


def _certificate_code(world: World) -> str:
    from kopa.programme.documents import certificate_code

    return certificate_code(world.objects["registration"])


def _privacy_token(world: World) -> str:
    """A fresh data request for each visit: a link is used up once it is followed."""
    from kopa.privacy.services import data_request_create, token_for

    return token_for(data_request_create(email="olena.matrix@example.org", language="en"))


def _questionnaire_token(world: World) -> str:
    from kopa.learning.links import token_for

    # The open link a coordinator hands out at the event (no registration behind it).
    return token_for(world.objects["questionnaire"], None)


def _withdraw_token(world: World) -> str:
    from kopa.stories.links import withdrawal_token

    return withdrawal_token(world.objects["consent"])


def _or_missing(value: Any, attribute: str = "pk") -> str:
    """The object's id, or an id nothing has (the URL then answers 404 for whoever gets past
    its permission check)."""
    return str(getattr(value, attribute)) if value is not None else "999999"


def _photo_file(world: World) -> dict[str, str]:
    photo = world.objects["private_photo"]
    return {
        "slug": world.objects["activity"].slug,
        "pk": str(photo.pk),
        "name": photo.file_names()[0],
    }


def _story_media(world: World) -> dict[str, str]:
    photo = world.objects["story_photo"]
    story = world.objects["story"]
    return {
        "public_id": str(story.public_id),
        "kind": "photo",
        "pk": _or_missing(photo),
        "name": photo.sizes[0]["name"] if photo is not None else "960.webp",
    }


def _admin(key: str) -> dict[str, str]:
    """The first record of the model an admin URL is about (or an id nothing has)."""
    from django.contrib import admin

    from kopa.accounts.models import User

    name = key.split(":", 1)[1].replace("/", "_")
    record: Any = None
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix) or name.startswith("admin_" + prefix):
            record = model._default_manager.order_by("pk").first()
            break
    user = User.objects.filter(is_project_admin=True).order_by("pk").first()
    return {
        "object_id": _or_missing(record),
        "content_type_id": str(ContentType.objects.get_for_model(User).pk),
        "app_label": "accounts",
        "url": "no-such-admin-page/",
        "_": str(user.pk),
    }


def _slug(world: World) -> dict[str, str]:
    return {"slug": world.objects["activity"].slug}


Filler = Callable[[World, str], dict[str, Any]]
FILLERS: dict[str, Filler] = {
    "media": lambda w, r: {
        "path": w.objects["public_photo"].storage_name(w.objects["public_photo"].file_names()[0])
    },
    "hsds:service": lambda w, r: {"service_id": w.objects["service"].pk},
    "hsds:organization": lambda w, r: {"organization_id": w.objects["hsds_organization"].pk},
    "hsds:taxonomy": lambda w, r: {"taxonomy_id": w.objects["taxonomy"].pk},
    "hsds:taxonomy_term": lambda w, r: {"term_id": w.objects["taxonomy_term"].pk},
    "hsds:service_at_location": lambda w, r: {
        "item_id": _or_missing(w.objects["service_at_location"])
    },
    "hsds:not_found": lambda w, r: {"rest": "no-such-collection"},
    "accounts:password_reset_confirm": lambda w, r: {"uidb64": "MQ", "token": "no-such-token"},
    "organisations:detail": lambda w, r: {"slug": OWNER},
    "organisations:edit": lambda w, r: {"slug": OWNER},
    "organisations:members": lambda w, r: {"slug": OWNER},
    "organisations:membership_change": lambda w, r: {
        "slug": OWNER,
        "membership_id": w.objects["membership"].pk,
    },
    "programme:registration": lambda w, r: {"token": _link(r, lambda: _private_token(w))},
    "programme:registration_cancel": lambda w, r: {"token": _link(r, lambda: _private_token(w))},
    "programme:certificate": lambda w, r: {"token": _link(r, lambda: _private_token(w))},
    "programme:checkin_scan": lambda w, r: {"token": _link(r, lambda: _checkin_token(w))},
    "programme:certificate_verify": lambda w, r: {"code": _link(r, lambda: _certificate_code(w))},
    "programme:manage_photo_file": lambda w, r: _photo_file(w),
    "programme:*": lambda w, r: _slug(w),
    "circle:service": lambda w, r: {"service_id": w.objects["service"].pk},
    "circle:suggest_correction": lambda w, r: {"service_id": w.objects["service"].pk},
    "circle:manage_edit": lambda w, r: {"service_id": w.objects["service"].pk},
    "circle:manage_verify": lambda w, r: {"service_id": w.objects["service"].pk},
    "circle:person": lambda w, r: {"profile_id": w.objects["profile"].pk},
    "circle:message": lambda w, r: {"profile_id": w.objects["profile"].pk},
    "circle:manage_suggestion": lambda w, r: {
        "suggestion_id": w.objects["suggestion"].pk if w.objects["suggestion"] else FORGED_UUID
    },
    "stories:withdraw": lambda w, r: {"token": _link(r, lambda: _withdraw_token(w))},
    "stories:manage_consent_file": lambda w, r: {
        "public_id": w.objects["story"].public_id,
        "pk": _or_missing(w.objects["consent"]),
    },
    "stories:manage_media_add": lambda w, r: {
        "public_id": w.objects["story"].public_id,
        "kind": "photo",
    },
    "stories:manage_media_remove": lambda w, r: _story_media(w),
    "stories:manage_media_file": lambda w, r: _story_media(w),
    "stories:*": lambda w, r: {"public_id": w.objects["story"].public_id},
    "learning:answer": lambda w, r: {"token": _link(r, lambda: _questionnaire_token(w))},
    "learning:activity_questionnaires": lambda w, r: _slug(w),
    "learning:invite": lambda w, r: {"pk": w.objects["questionnaire"].pk},
    "learning:results_questionnaire": lambda w, r: {"pk": w.objects["questionnaire"].pk},
    "learning:results_csv": lambda w, r: {"pk": w.objects["questionnaire"].pk},
    "learning:results_xlsx": lambda w, r: {"pk": w.objects["questionnaire"].pk},
    "learning:results_template": lambda w, r: {"code": w.objects["template"].code},
    "learning:material_file": lambda w, r: {"pk": w.objects["material_with_file"].pk},
    "learning:template_edit": lambda w, r: {"pk": w.objects["own_template"].pk},
    "learning:template_copy": lambda w, r: {"pk": w.objects["own_template"].pk},
    "learning:*": lambda w, r: {"pk": w.objects["material"].pk},
    "reporting:activity_note": lambda w, r: {
        "slug": w.objects["project"].slug,
        "activity_slug": w.objects["project_activity"].slug,
    },
    "reporting:*": lambda w, r: {
        "slug": w.objects["project"].slug,
        "pk": _or_missing(w.objects["frozen"]),
    },
    "privacy:notice": lambda w, r: {"version": w.objects["notice"].version},
    "privacy:*": lambda w, r: {"token": _link(r, lambda: _privacy_token(w))},
}
