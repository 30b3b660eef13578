from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.core.models import AuditEntry
from kopa.core.tests.test_images import GPS_IFD, jpeg_with_gps
from kopa.programme import photo_services
from kopa.programme.models import Activity, ActivityPhoto
from kopa.programme.tests.factories import make_activity

pytestmark = pytest.mark.django_db

CAPTION_EN = "caption_2"  # the TranslatedWidget's inputs follow LANGUAGES: lv, et, en, uk, ru


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def jpeg_upload(name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps((1200, 900)), content_type="image/jpeg")


def user_with_role(activity: Activity, who: str):
    if who == "anonymous":
        return None
    if who == "other-coordinator":
        return make_member(make_organisation(), Membership.Role.COORDINATOR)
    if who == "project-admin":
        return make_user(is_project_admin=True)
    return make_member(activity.organisers.get(), who)


def add_photo(activity: Activity, *, consented: bool = True, actor=None) -> ActivityPhoto:
    actor = actor or make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    return photo_services.photo_add(
        actor=actor,
        activity=activity,
        upload=jpeg_upload(),
        caption={"en": "Librarians at the storytelling table", "lv": "Bibliotekāri pie galda"},
        credit="Anna Bērziņa",
        people_consented=consented,
    )


def form_data(**fields) -> dict:
    data = {
        "image": jpeg_upload(),
        CAPTION_EN: "Reading together",
        "credit": "Valmiera Library",
        "people_consented": "on",
    }
    data.update(fields)
    return data


# --- Permissions ---------------------------------------------------------------------------


ROLES = [
    ("anonymous", 302),
    ("member", 403),
    ("editor", 403),
    ("other-coordinator", 403),
    ("coordinator", 200),
    ("project-admin", 200),
]


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_each_role_gets_its_answer_on_the_photo_page(client, who, status):
    activity = make_activity()
    user = user_with_role(activity, who)
    if user:
        client.force_login(user)
    assert client.get(f"/en/programme/manage/{activity.slug}/photos/").status_code == status


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_only_the_organisers_coordinators_can_upload(client, who, status, media_root):
    activity = make_activity()
    user = user_with_role(activity, who)
    if user:
        client.force_login(user)
    response = client.post(f"/en/programme/manage/{activity.slug}/photos/", form_data())
    stored = status == 200
    assert response.status_code == (302 if stored else status)
    assert ActivityPhoto.objects.filter(activity=activity).exists() is stored
    assert bool(stored_files(media_root)) is stored


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_only_the_organisers_coordinators_can_remove(
    client, who, status, django_capture_on_commit_callbacks
):
    activity = make_activity()
    photo = add_photo(activity)
    user = user_with_role(activity, who)
    if user:
        client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/programme/manage/{activity.slug}/photos/",
            {"action": "remove", "photo": photo.pk},
        )
    removed = status == 200
    assert response.status_code == (302 if removed else status)
    assert ActivityPhoto.objects.filter(pk=photo.pk).exists() is not removed


@pytest.mark.parametrize("who", ["editor", "member", "other-coordinator"])
def test_the_services_check_the_role_themselves(who, media_root):
    activity = make_activity()
    with pytest.raises(PermissionDenied):
        add_photo(activity, actor=user_with_role(activity, who))
    photo = add_photo(activity)
    with pytest.raises(PermissionDenied):
        photo_services.photo_remove(actor=user_with_role(activity, who), photo=photo)
    assert ActivityPhoto.objects.count() == 1


# --- Adding ----------------------------------------------------------------------------------


def test_an_upload_is_stored_in_sizes_at_an_unguessable_address_and_audited(client, media_root):
    activity = make_activity()
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(f"/en/programme/manage/{activity.slug}/photos/", form_data())
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    assert photo.caption.translations == {"en": "Reading together"}
    assert photo.original_language == "en"
    assert photo.uploaded_by == coordinator
    assert len(photo.key) == 32
    assert [size["width"] for size in photo.sizes] == [480, 960, 1200]
    assert [p.relative_to(media_root).as_posix() for p in stored_files(media_root)] == sorted(
        f"photos/{photo.key}/{name}" for name in ["1200.webp", "480.webp", "960.webp"]
    )
    entry = AuditEntry.objects.get(action="programme.photo.added")
    assert entry.actor == coordinator
    assert entry.data == {"activity": activity.pk, "public": True}


def test_a_gps_tagged_photo_is_served_without_metadata(client):
    photo = add_photo(make_activity(status=Activity.Status.HELD))
    for size in photo.sizes:
        response = client.get(photo.url(size["name"]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == "inline"
        assert "public" in response["Cache-Control"]
        assert "max-age=31536000" in response["Cache-Control"]
        body = b"".join(response.streaming_content)  # read to the end, which closes the file
        image = Image.open(io.BytesIO(body))
        assert image.format == "WEBP"
        assert image.size == (size["width"], size["height"])
        assert dict(image.getexif()) == {}
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info
        assert b"PhoneMaker" not in body


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("holiday.jpg", b"#!/bin/sh\necho owned\n", "not a JPEG, PNG or WebP"),
        ("holiday.jpg", b"", "The submitted file is empty."),
    ],
)
def test_a_bad_upload_is_explained_next_to_the_field_and_stores_nothing(
    client, media_root, name, content, message
):
    activity = make_activity()
    client.force_login(make_member(activity.organisers.get(), Membership.Role.COORDINATOR))
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client.post(f"/en/programme/manage/{activity.slug}/photos/", form_data(image=upload))
    assert response.status_code == 200
    assert message in response.text
    assert 'id="id_image_error"' in response.text
    assert not ActivityPhoto.objects.exists()
    assert stored_files(media_root) == []
    assert not AuditEntry.objects.filter(action="programme.photo.added").exists()


def test_a_file_over_the_limit_is_refused_in_the_pages_language(client, settings, media_root):
    settings.KOPA_MAX_IMAGE_BYTES = 2048
    activity = make_activity()
    client.force_login(make_member(activity.organisers.get(), Membership.Role.COORDINATOR))
    response = client.post(f"/lv/programme/manage/{activity.slug}/photos/", form_data())
    assert response.status_code == 200
    assert 'id="id_image_error"' in response.text
    assert "2,0\xa0KB" in response.text  # the limit, written the Latvian way
    assert not ActivityPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_caption_is_required(client, media_root):
    activity = make_activity()
    client.force_login(make_member(activity.organisers.get(), Membership.Role.COORDINATOR))
    response = client.post(
        f"/en/programme/manage/{activity.slug}/photos/", form_data(**{CAPTION_EN: ""})
    )
    assert response.status_code == 200
    assert 'id="id_caption_error"' in response.text
    assert not ActivityPhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_failure_after_the_files_are_written_leaves_neither_row_nor_files(
    monkeypatch, media_root
):
    def broken_audit(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(photo_services, "audit_log", broken_audit)
    with pytest.raises(RuntimeError):
        add_photo(make_activity())
    assert not ActivityPhoto.objects.exists()
    assert stored_files(media_root) == []
    assert list((media_root / "photos").iterdir()) == []


# --- Who sees what ---------------------------------------------------------------------------


def test_a_photo_without_consent_is_only_for_the_coordinators(client):
    activity = make_activity(status=Activity.Status.HELD)
    public = add_photo(activity, consented=True)
    private = add_photo(activity, consented=False)
    private_url = private.url(private.sizes[0]["name"])

    assert client.get(private_url).status_code == 404
    page = client.get(f"/en/programme/{activity.slug}/").text
    assert public.key in page
    assert private.key not in page
    plan = client.get("/en/programme/plan/").text
    assert public.key in plan
    assert private.key not in plan
    assert "1 photo" in plan

    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    client.force_login(coordinator)
    assert client.get(private_url).status_code == 404  # /media/ is for the public only
    listing = client.get(f"/en/programme/manage/{activity.slug}/photos/").text
    assert "Only for coordinators" in listing
    own_url = f"/en/programme/manage/{activity.slug}/photos/{private.pk}/{private.sizes[0]['name']}"
    assert own_url in listing
    response = client.get(own_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"RIFF")

    client.force_login(make_member(make_organisation(), Membership.Role.COORDINATOR))
    assert client.get(own_url).status_code == 403


def test_the_public_page_shows_a_responsive_figure(client):
    activity = make_activity(status=Activity.Status.HELD)
    photo = add_photo(activity)
    page = client.get(f"/lv/programme/{activity.slug}/").text
    assert "<figure" in page and "<figcaption>" in page
    assert f'srcset="/media/photos/{photo.key}/480.webp 480w, ' in page
    assert 'sizes="' in page
    assert 'loading="lazy"' in page
    assert 'width="1200" height="900"' in page
    assert 'alt="Bibliotekāri pie galda"' in page
    assert "Anna Bērziņa" in page


def test_the_plan_counts_photos_only_for_held_activities(client):
    activity = make_activity(status=Activity.Status.OPEN)
    photo = add_photo(activity)
    plan = client.get("/en/programme/plan/").text
    assert photo.key not in plan
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.HELD)
    cache.clear()  # the plan is cached for anonymous visitors
    plan = client.get("/en/programme/plan/").text
    assert photo.key in plan
    assert "1 photo" in plan


@pytest.mark.parametrize(
    "path",
    [
        "/media/",
        "/media/photos/",
        "/media/photos/{key}/",
        "/media/photos/{key}",
        "/media/photos/{key}/../{key}/480.webp",
        "/media/photos/../photos/{key}/480.webp",
        "/media/../kopa/settings.py",
        "/media/..%2fkopa/settings.py",
        "/media//etc/passwd",
        "/media/%2Fetc%2Fpasswd",
        "/media/photos/{key}/480.webp/",
        "/media/photos/{key}/481.webp",
        "/media/photos/{KEY}/480.webp",
        "/media/stories/{key}/480.webp",
        "/media/photos/00000000000000000000000000000000/480.webp",
    ],
)
def test_the_media_address_answers_nothing_but_a_public_file(client, path, media_root):
    photo = add_photo(make_activity())
    (media_root / "secret.txt").write_text("not for anyone")
    response = client.get(path.format(key=photo.key, KEY=photo.key.upper()))
    assert response.status_code == 404
    assert b"not for anyone" not in b"".join(getattr(response, "streaming_content", [b""]))


def test_the_media_address_refuses_writes(client):
    photo = add_photo(make_activity())
    assert client.post(photo.url("480.webp")).status_code == 405


# --- Removing --------------------------------------------------------------------------------


def test_removing_deletes_the_files_after_the_commit(
    client, media_root, django_capture_on_commit_callbacks
):
    activity = make_activity()
    photo = add_photo(activity)
    url, pk = photo.url("480.webp"), photo.pk
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"RIFF")
    coordinator = make_member(activity.organisers.get(), Membership.Role.COORDINATOR)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo_services.photo_remove(actor=coordinator, photo=photo)
    assert not ActivityPhoto.objects.exists()
    assert len(stored_files(media_root)) == 3  # until the commit
    for callback in callbacks:
        callback()
    assert stored_files(media_root) == []
    assert not (media_root / "photos" / photo.key).exists()
    assert client.get(url).status_code == 404
    entry = AuditEntry.objects.get(action="programme.photo.removed")
    assert entry.actor == coordinator
    assert entry.data["photo"] == pk


def test_the_activity_page_links_to_the_photos(client):
    activity = make_activity()
    client.force_login(make_member(activity.organisers.get(), Membership.Role.COORDINATOR))
    page = client.get(f"/en/programme/manage/{activity.slug}/").text
    assert f'href="/en/programme/manage/{activity.slug}/photos/"' in page


def test_the_upload_form_accepts_only_photos_and_sends_files(client):
    activity = make_activity()
    client.force_login(make_member(activity.organisers.get(), Membership.Role.COORDINATOR))
    page = client.get(f"/en/programme/manage/{activity.slug}/photos/").text
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page
    assert 'name="people_consented"' in page
    assert 'lang="uk"' in page  # a caption input per language
