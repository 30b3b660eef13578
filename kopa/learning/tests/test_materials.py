from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.models import AuditEntry
from kopa.learning import services
from kopa.learning.files import check_upload
from kopa.learning.models import Material
from kopa.learning.tests.factories import make_material
from kopa.programme.tests.factories import make_activity, make_project

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def office_zip(member: str, *, content_types: bool = True, mimetype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype:
            archive.writestr("mimetype", mimetype)
        if content_types:
            archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF, "application/pdf"),
        (
            office_zip("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            office_zip("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            office_zip(
                "content.xml",
                content_types=False,
                mimetype="application/vnd.oasis.opendocument.text",
            ),
            "application/vnd.oasis.opendocument.text",
        ),
    ],
)
def test_the_type_comes_from_the_bytes(data, expected):
    checked = check_upload(upload("Whatever Name.exe", data))
    assert checked.content_type == expected
    assert checked.name.startswith("whatever-name.")
    assert not checked.name.endswith(".exe")


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        b"MZ\x90\x00 windows program",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        office_zip("evil.js", content_types=False),
        b"PK\x03\x04 not really a zip",
        b"\xff\xd8\xff but not a jpeg at all",
    ],
)
def test_a_file_that_lies_about_its_type_is_refused(data):
    with pytest.raises(ValidationError) as error:
        check_upload(upload("handout.pdf", data))
    assert error.value.code in ("not_accepted", "not_an_image", "damaged")


def test_an_empty_or_too_large_file_is_refused(settings):
    with pytest.raises(ValidationError):
        check_upload(upload("empty.pdf", b""))
    settings.KOPA_MAX_MATERIAL_BYTES = 10
    with pytest.raises(ValidationError) as error:
        check_upload(upload("big.pdf", PDF))
    assert error.value.code == "too_large"


def test_an_editor_adds_a_file_and_nothing_is_stored_when_the_file_lies(media_root):
    organisation = make_organisation()
    editor = make_member(organisation, Membership.Role.EDITOR)
    project = make_project()
    material = Material(
        project=project,
        organisation=organisation,
        kind="file",
        title={"en": "Handout"},
        summary={"en": "A handout."},
        theme="trauma",
        licence="cc-by-4.0",
    )
    with pytest.raises(ValidationError):
        services.material_save(
            actor=editor, material=material, upload=upload("handout.pdf", b"#!/bin/sh\nrm -rf /")
        )
    assert Material.objects.count() == 0
    assert not any(p.is_file() for p in media_root.rglob("*")) if media_root.exists() else True

    services.material_save(actor=editor, material=material, upload=upload("handout.pdf", PDF))
    assert material.file_type == "application/pdf"
    assert (media_root / material.storage_name).read_bytes() == PDF
    assert AuditEntry.objects.filter(action="learning.material.created").count() == 1


def test_members_and_strangers_may_not_add_materials():
    organisation = make_organisation()
    material = Material(
        project=make_project(),
        organisation=organisation,
        kind="text",
        title={"en": "T"},
        summary={"en": "S"},
        theme="trauma",
        licence="cc-by-4.0",
    )
    for user in (
        make_member(organisation),
        make_user(),
        make_member(make_organisation(), Membership.Role.COORDINATOR),
    ):
        with pytest.raises(PermissionDenied):
            services.material_save(actor=user, material=material)
    assert Material.objects.count() == 0


def test_a_stale_edit_is_refused():
    organisation = make_organisation()
    editor = make_member(organisation, Membership.Role.EDITOR)
    material = make_material(organisation)
    first = Material.objects.get(pk=material.pk)
    second = Material.objects.get(pk=material.pk)
    first.title = {"en": "First"}
    services.material_save(actor=editor, material=first, expected_version=1)
    second.title = {"en": "Second"}
    with pytest.raises(services.EditConflict):
        services.material_save(actor=editor, material=second, expected_version=1)
    assert Material.objects.get(pk=material.pk).title.text == "First"


def test_editor_pages_add_and_edit_with_the_version_check(client):
    organisation = make_organisation()
    editor = make_member(organisation, Membership.Role.EDITOR)
    make_activity(organisers=[organisation])
    client.force_login(editor)
    page = client.get(reverse("learning:material_create"))
    assert page.status_code == 200
    data = {
        "organisation": organisation.pk,
        "kind": "link",
        "title_2": "Referral map",
        "summary_2": "Who helps with what.",
        "original_language": "en",
        "theme": "referral",
        "licence": "cc-by-4.0",
        "url": "https://example.org/map",
        "visibility": "circle",
    }
    created = client.post(reverse("learning:material_create"), data)
    material = Material.objects.get()
    assert created.status_code == 302
    assert material.visibility == "circle" and material.title.text == "Referral map"
    edit_url = reverse("learning:material_edit", args=[material.pk])
    stale = client.post(edit_url, {**data, "title_2": "Old tab", "version": 0})
    assert stale.status_code == 409
    saved = client.post(edit_url, {**data, "title_2": "Referral map 2", "version": 1})
    assert saved.status_code == 302
    assert Material.objects.get().title.text == "Referral map 2"
    client.force_login(make_member(organisation))
    assert client.get(edit_url).status_code == 403


def roles(organisation):
    return {
        "anonymous": None,
        "logged-in stranger": make_user(),
        "circle member": make_member(organisation),
        "editor": make_member(organisation, Membership.Role.EDITOR),
        "project admin": make_user(is_project_admin=True),
    }


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("logged-in stranger", False),
        ("circle member", True),
        ("editor", True),
        ("project admin", True),
    ],
)
def test_circle_only_materials_and_their_files_per_role(client, media_root, role, sees):
    organisation = make_organisation()
    editor = make_member(organisation, Membership.Role.EDITOR)
    public = make_material(organisation, title={"en": "Open handout"})
    hidden = Material(
        project=public.project,
        organisation=organisation,
        kind="file",
        title={"en": "Circle handout"},
        summary={"en": "Only for us."},
        theme="trauma",
        licence="cc-by-4.0",
        visibility="circle",
    )
    services.material_save(actor=editor, material=hidden, upload=upload("h.pdf", PDF))
    user = roles(organisation)[role]
    if user is not None:
        client.force_login(user)
    listing = client.get(reverse("learning:list")).content.decode()
    assert "Open handout" in listing
    assert ("Circle handout" in listing) is sees
    detail = client.get(reverse("learning:material", args=[hidden.pk]))
    assert detail.status_code == (200 if sees else 404)
    served = client.get(reverse("learning:material_file", args=[hidden.pk]))
    assert served.status_code == (200 if sees else 404)
    if sees:
        assert b"".join(served.streaming_content) == PDF
        assert served["Cache-Control"] == "private, no-store"
        assert served["X-Content-Type-Options"] == "nosniff"
    # The stored path is never served by the public media view, even when known.
    assert client.get(f"/media/{hidden.storage_name}").status_code == 404


def test_filters_and_search(client):
    organisation = make_organisation()
    make_material(
        organisation,
        title={"en": "Interpreters at the desk"},
        theme="interpreters",
        languages=["uk"],
    )
    make_material(
        organisation,
        title={"en": "Finnish story circles"},
        kind="good_practice",
        country="FI",
        theme="storytelling",
    )
    for material in Material.objects.all():
        services.index_material(material)
    page = client.get(reverse("learning:list"), {"theme": "interpreters"}).content.decode()
    assert "Interpreters at the desk" in page and "Finnish story circles" not in page
    page = client.get(reverse("learning:list"), {"kind": "good_practice"}).content.decode()
    assert "Finnish story circles" in page and "Interpreters at the desk" not in page
    page = client.get(reverse("learning:list"), {"language": "uk"}).content.decode()
    assert "Interpreters at the desk" in page and "Finnish story circles" not in page
    page = client.get(reverse("learning:list"), {"q": "story circles"}).content.decode()
    assert "Finnish story circles" in page and "Interpreters at the desk" not in page
    # The theme's name in another language finds the material.
    page = client.get(reverse("learning:list"), {"q": "перекладачами"}).content.decode()
    assert "Interpreters at the desk" in page and "Finnish story circles" not in page
    assert client.get(reverse("learning:list"), {"theme": "nonsense"}).status_code == 200


def test_the_materials_list_makes_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    organisation = make_organisation()
    client.force_login(make_member(organisation))
    make_material(organisation)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("learning:list"))
    for number in range(15):
        make_material(organisation, title={"en": f"Material {number}"}, visibility="circle")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("learning:list"))
    assert "Material 14" in page.content.decode()
    assert len(many) == len(few)


def test_deleting_a_material_removes_its_file_and_search_entry(
    client, media_root, django_capture_on_commit_callbacks
):
    from kopa.core.search.models import SearchDocument

    organisation = make_organisation()
    editor = make_member(organisation, Membership.Role.EDITOR)
    material = Material(
        project=make_project(),
        organisation=organisation,
        kind="file",
        title={"en": "Old"},
        summary={"en": "Old handout."},
        theme="trauma",
        licence="cc-by-4.0",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.material_save(actor=editor, material=material, upload=upload("old.pdf", PDF))
    stored = media_root / material.storage_name
    assert stored.exists()
    assert SearchDocument.objects.filter(key=services.search_key(material.pk)).exists()
    client.force_login(make_member(organisation))
    assert client.post(reverse("learning:material_delete", args=[material.pk])).status_code == 403
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("learning:material_delete", args=[material.pk]))
    assert not Material.objects.exists()
    assert not stored.exists()
    assert not SearchDocument.objects.filter(key=services.search_key(material.pk)).exists()
    assert AuditEntry.objects.filter(action="learning.material.deleted").count() == 1
