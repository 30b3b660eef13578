"""Keeping the directory true: editors' forms per role, concurrent edits, verification, the
review queue, suggestions from the circle, bad input and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kopa.accounts.models import Membership
from kopa.accounts.tests.factories import make_member, make_organisation, make_user
from kopa.circle import services
from kopa.circle.models import Schedule, Service, Suggestion
from kopa.circle.search import ranked_service_ids
from kopa.circle.tests.factories import LEGAL_AID, make_service
from kopa.core.i18n import language_codes
from kopa.core.models import AuditEntry

pytestmark = pytest.mark.django_db

MANAGE_PAGES = ["", "new/", "review/", "suggestions/", "services/{service}/"]


def login(client, who: str):
    organisation = make_organisation()
    if who == "anonymous":
        return None
    if who == "outsider":
        user = make_user()
    elif who == "project-admin":
        user = make_user(is_project_admin=True)
    else:
        user = make_member(organisation, who)
    client.force_login(user)
    return user


@pytest.mark.parametrize("page", MANAGE_PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("member", 403),
        ("editor", 200),
        ("coordinator", 200),
        ("project-admin", 200),
    ],
)
def test_each_role_gets_its_answer_on_each_editors_page(client, page, who, status):
    service = make_service()
    login(client, who)
    response = client.get(f"/en/directory/manage/{page.format(service=service.pk)}")
    assert response.status_code == status


def test_a_member_may_not_save_or_verify_through_the_services():
    service = make_service()
    member = make_member(make_organisation(), Membership.Role.MEMBER)
    edit = services.ServiceEdit(name={"en": "X"}, original_language="en")
    with pytest.raises(PermissionDenied):
        services.service_save(actor=member, edit=edit)
    with pytest.raises(PermissionDenied):
        services.service_verify(actor=member, service=service)


def hours_management(total: int, initial: int = 0) -> dict[str, str]:
    return {
        "hours-TOTAL_FORMS": str(total),
        "hours-INITIAL_FORMS": str(initial),
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "14",
    }


def new_service_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "",
        "original_language": "lv",
        "name_0": "Bezmaksas jurista konsultācijas",
        "description_0": "Jurists palīdz ar īres līgumiem.",
        "status": "active",
        "organization_name": "Biedrība Palīgs",
        "terms": [LEGAL_AID],
        "languages": ["lv", "uk"],
        "free_of_charge": "on",
        "documents": "Pase\nUzturēšanās atļauja",
        "address_1": "Rīgas iela 1",
        "postal_code": "LV-4201",
        "city": "Valmiera",
        "country": "LV",
        "latitude": "57.5386",
        "longitude": "25.4263",
        "phones": "+371 2000 1111",
        **hours_management(2),
        "hours-0-days": ["TU", "TH"],
        "hours-0-opens_at": "10:00",
        "hours-0-closes_at": "14:00",
    }
    data.update(overrides)
    return data


def editor_client(client):
    user = make_member(make_organisation(), Membership.Role.EDITOR)
    client.force_login(user)
    return user


def test_an_editor_adds_a_service_with_everything_a_visitor_needs(
    client, django_capture_on_commit_callbacks
):
    services.taxonomy_load()
    editor = editor_client(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/directory/manage/new/", new_service_data(verified="on"))
    assert response.status_code == 302
    service = Service.objects.get()
    assert service.name.translations == {"lv": "Bezmaksas jurista konsultācijas"}
    assert str(service.organization.name) == "Biedrība Palīgs"
    assert service.last_verified == timezone.localdate()
    (schedule,) = Schedule.objects.filter(service=service)
    assert (schedule.byday, schedule.time_zone) == ("TU,TH", "Europe/Riga")
    assert schedule.opens_at == dt.time(10, 0)
    location = service.service_at_locations.get().location
    assert (location.latitude, location.addresses.get().city) == (57.5386, "Valmiera")
    assert sorted(service.languages.values_list("code", flat=True)) == ["lv", "uk"]
    assert service.cost_options.get().amount == 0
    assert service.required_documents.count() == 2
    assert service.phones.get().number == "+371 2000 1111"
    created = AuditEntry.objects.get(action="circle.service.created")
    assert created.actor == editor and created.data["source"] == "editor"
    assert AuditEntry.objects.filter(action="circle.organization.created").count() == 1
    # Indexed after commit: the multilingual search finds it at once.
    assert service.pk in ranked_service_ids("jurista konsultācijas")
    page = client.get(f"/en/directory/services/{service.pk}/").text
    assert "Rīgas iela 1" in page and "Free of charge" in page


def edit_data(client, service: Service) -> dict[str, Any]:
    """The edit form as the browser would send it back unchanged."""
    response = client.get(f"/en/directory/manage/services/{service.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, dict):
            for index, code in enumerate(language_codes()):
                data[f"{name}_{index}"] = value.get(code, "")
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    rows = response.context["hours_forms"].initial or []
    data.update(hours_management(len(rows) + 2, 0))
    for index, row in enumerate(rows):
        data[f"hours-{index}-days"] = row["days"]
        data[f"hours-{index}-opens_at"] = row["opens_at"].strftime("%H:%M")
        data[f"hours-{index}-closes_at"] = row["closes_at"].strftime("%H:%M")
    return data


def test_saving_an_unchanged_form_changes_nothing(client):
    service = make_service()
    editor_client(client)
    response = client.post(
        f"/en/directory/manage/services/{service.pk}/", edit_data(client, service)
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.version == 1
    assert not AuditEntry.objects.filter(action="circle.service.updated").exists()
    # The imported schedule with a description is kept as it is.
    assert Schedule.objects.filter(service=service).count() == 1


def test_an_edit_names_the_parts_that_changed(client, django_capture_on_commit_callbacks):
    service = make_service()
    editor = editor_client(client)
    data = edit_data(client, service)
    data.update({"name_0": "Jurists bibliotēkā", "phones": "+371 2999 9999", "latitude": "57.6"})
    data.update({"hours-0-days": ["MO"], "hours-0-opens_at": "09:00", "hours-0-closes_at": "12:00"})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/en/directory/manage/services/{service.pk}/", data).status_code == 302
    service.refresh_from_db()
    assert service.version == 2 and service.name.translations["lv"] == "Jurists bibliotēkā"
    entry = AuditEntry.objects.get(action="circle.service.updated")
    assert entry.actor == editor
    assert entry.data["changed"] == ["hours", "latitude", "name", "phones"]
    assert list(service.phones.values_list("number", flat=True)) == ["+371 2999 9999"]
    assert Schedule.objects.filter(service=service).count() == 2
    assert service.pk in ranked_service_ids("jurists bibliotēkā")


def test_the_second_of_two_concurrent_edits_is_refused_and_overwrites_nothing(client):
    service = make_service()
    editor_client(client)
    first = edit_data(client, service)
    second = edit_data(client, service)
    first["name_0"] = "First editor's name"
    second["name_0"] = "Second editor's name"
    assert client.post(f"/en/directory/manage/services/{service.pk}/", first).status_code == 302
    refused = client.post(f"/en/directory/manage/services/{service.pk}/", second)
    assert refused.status_code == 200
    assert "Someone else saved this entry while you were editing it" in refused.text
    service.refresh_from_db()
    assert service.name.translations["lv"] == "First editor's name"
    assert service.version == 2
    assert AuditEntry.objects.filter(action="circle.service.updated").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("latitude", "91"), ("longitude", "-180.5"), ("latitude", "north"), ("longitude", "nan")],
)
def test_coordinates_out_of_range_are_refused_and_nothing_is_saved(client, field, value):
    services.taxonomy_load()
    editor_client(client)
    response = client.post("/en/directory/manage/new/", new_service_data(**{field: value}))
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Service.objects.exists()


def test_the_service_refuses_coordinates_out_of_range_too():
    editor = make_user(is_project_admin=True)
    edit = services.ServiceEdit(
        name={"en": "X"},
        original_language="en",
        address_1="Street 1",
        city="Town",
        country="LV",
        latitude=120.0,
        longitude=10.0,
    )
    with pytest.raises(ValidationError):
        services.service_save(actor=editor, edit=edit)
    assert not Service.objects.exists()


def test_html_in_texts_is_shown_as_text(client, django_capture_on_commit_callbacks):
    services.taxonomy_load()
    editor_client(client)
    data = new_service_data(
        name_0="<script>alert('x')</script>Palīdzība", description_0="<b>bold</b>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/directory/manage/new/", data)
    service = Service.objects.get()
    page = client.get(f"/en/directory/services/{service.pk}/").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page


def test_half_filled_addresses_and_hours_rows_are_explained(client):
    services.taxonomy_load()
    editor_client(client)
    response = client.post(
        "/en/directory/manage/new/",
        new_service_data(city="", **{"hours-1-days": ["SA"]}),
    )
    assert response.status_code == 200
    assert "Give the street, the town and the country together." in response.text
    assert "Give the days, the opening and the closing time." in response.text
    assert not Service.objects.exists()


def test_still_correct_marks_the_entry_verified_today(client):
    service = make_service(assured_date="2020-01-01")
    editor = editor_client(client)
    response = client.post(
        f"/en/directory/manage/services/{service.pk}/verify/", {"next": "review"}
    )
    assert response.status_code == 302 and response["Location"].endswith("/manage/review/")
    service.refresh_from_db()
    assert service.last_verified == timezone.localdate()
    assert service.version == 1  # an editor who has the form open can still save
    entry = AuditEntry.objects.get(action="circle.service.verified")
    assert entry.actor == editor
    assert client.get(f"/en/directory/manage/services/{service.pk}/verify/").status_code == 405


def test_the_review_queue_lists_stale_entries_oldest_first(client, settings):
    today = timezone.localdate()
    recent = make_service(name="Recent", assured_date=(today - dt.timedelta(days=30)).isoformat())
    old = make_service(name="Old", assured_date="2021-05-01")
    older = make_service(name="Older", assured_date="2019-02-01")
    never = make_service(name="Never")
    make_service(name="Gone", status="defunct")
    editor_client(client)
    page = client.get("/en/directory/manage/review/")
    listed = [service.pk for service in page.context["page"]]
    assert listed == [never.pk, older.pk, old.pk]
    assert recent.pk not in listed
    settings.KOPA_CIRCLE_REVIEW_MONTHS = 0
    listed = [s.pk for s in client.get("/en/directory/manage/review/").context["page"]]
    assert recent.pk in listed


def test_the_review_cutoff_counts_calendar_months():
    assert services.review_cutoff(today=dt.date(2027, 3, 31), months=1) == dt.date(2027, 2, 28)
    assert services.review_cutoff(today=dt.date(2027, 1, 15), months=12) == dt.date(2026, 1, 15)


def test_the_editors_finder_finds_entries_by_name_without_diacritics(client):
    service = make_service(name="Jurista konsultācijas")
    editor_client(client)
    page = client.get("/en/directory/manage/?q=konsultacijas").text
    assert f"/manage/services/{service.pk}/" in page


# --- suggestions --------------------------------------------------------------------------------


def member_client(client, **fields):
    user = make_member(make_organisation(), Membership.Role.MEMBER, **fields)
    client.force_login(user)
    return user


def test_a_member_suggests_a_new_service(client):
    member = member_client(client)
    response = client.post(
        "/uk/directory/suggest/",
        {
            "note": "Тут щочетверга роздають одяг",
            "name": "Одяг <i>безкоштовно</i>",
            "city": "Kärdla",
        },
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.kind, suggestion.language, suggestion.suggested_by) == ("new", "uk", member)
    assert suggestion.proposed == {"name": "Одяг <i>безкоштовно</i>", "city": "Kärdla"}
    assert AuditEntry.objects.get(action="circle.suggestion.created").actor == member


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 403), ("member", 200)]
)
def test_only_circle_members_may_suggest(client, who, status):
    service = make_service()
    login(client, who)
    assert client.get("/en/directory/suggest/").status_code == status
    assert client.get(f"/en/directory/services/{service.pk}/suggest/").status_code == status


def test_suggestions_are_rate_limited(client):
    member_client(client)
    for _ in range(10):
        assert client.post("/en/directory/suggest/", {"note": "a food bank"}).status_code == 302
    refused = client.post("/en/directory/suggest/", {"note": "one more"})
    assert refused.status_code == 429
    assert "Please wait an hour" in refused.text
    assert Suggestion.objects.count() == 10


def test_an_editor_accepts_a_correction_through_the_same_service_functions(
    client, django_capture_on_commit_callbacks
):
    service = make_service()
    suggester = member_client(client, email="suggester@example.org", preferred_language="uk")
    client.post(
        f"/uk/directory/services/{service.pk}/suggest/",
        {"note": "Новий телефон", "phone": "+371 2888 8888"},
    )
    suggestion = Suggestion.objects.get()
    assert suggestion.service == service and suggestion.kind == "correction"
    editor = editor_client(client)
    review = client.get(f"/en/directory/manage/suggestions/{suggestion.pk}/")
    assert "+371 2888 8888" in review.text and "Новий телефон" in review.text
    data = edit_data(client, service)
    data["phones"] = review.context["form"].initial["phones"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/directory/manage/suggestions/{suggestion.pk}/", data)
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == ("accepted", editor)
    assert "+371 2888 8888" in service.phones.values_list("number", flat=True)
    updated = AuditEntry.objects.get(action="circle.service.updated")
    assert updated.data["source"] == "suggestion" and updated.data["changed"] == ["phones"]
    assert AuditEntry.objects.filter(action="circle.suggestion.accepted").count() == 1
    (sent,) = mail.outbox
    assert sent.to == [suggester.email] and sent.extra_headers["Content-Language"] == "uk"
    assert f"/uk/directory/services/{service.pk}/" in sent.body
    # Decided once: a second decision is refused with a message, not an error page.
    again = client.get(f"/en/directory/manage/suggestions/{suggestion.pk}/")
    assert again.status_code == 302


def test_accepting_a_new_service_creates_it(client):
    services.taxonomy_load()
    member_client(client)
    client.post("/lv/directory/suggest/", {"note": "Jauns", "name": "Zupas virtuve"})
    suggestion = Suggestion.objects.get()
    editor_client(client)
    review = client.get(f"/en/directory/manage/suggestions/{suggestion.pk}/")
    assert review.context["form"].initial["name"] == {"lv": "Zupas virtuve"}
    data = new_service_data(name_0="Zupas virtuve", original_language="lv")
    response = client.post(f"/en/directory/manage/suggestions/{suggestion.pk}/", data)
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"
    assert suggestion.service.name.translations == {"lv": "Zupas virtuve"}


def test_an_editor_rejects_a_suggestion_with_a_reason(client, django_capture_on_commit_callbacks):
    member = member_client(client, email="m@example.org")
    client.post("/en/directory/suggest/", {"note": "A shelter on Mars"})
    suggestion = Suggestion.objects.get()
    editor_client(client)
    no_reason = client.post(
        f"/en/directory/manage/suggestions/{suggestion.pk}/", {"reject": "1", "reason": " "}
    )
    assert no_reason.status_code == 400
    suggestion.refresh_from_db()
    assert suggestion.status == "open"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/directory/manage/suggestions/{suggestion.pk}/",
            {"reject": "1", "reason": "We could not find it <anywhere>."},
        )
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reason) == (
        "rejected",
        "We could not find it <anywhere>.",
    )
    (sent,) = mail.outbox
    assert sent.to == [member.email] and "We could not find it <anywhere>." in sent.body
    assert AuditEntry.objects.filter(action="circle.suggestion.rejected").count() == 1
    with pytest.raises(services.SuggestionClosed):
        services.suggestion_reject(
            actor=make_user(is_project_admin=True), suggestion=suggestion, reason="again"
        )


def test_the_suggestion_queue_shows_open_suggestions_oldest_first(client):
    member = make_member(make_organisation())
    first = services.suggestion_create(actor=member, note="first", proposed={}, language="en")
    second = services.suggestion_create(actor=member, note="second", proposed={}, language="en")
    Suggestion.objects.filter(pk=second.pk).update(created=first.created - dt.timedelta(days=1))
    services.suggestion_reject(
        actor=make_user(is_project_admin=True),
        suggestion=services.suggestion_create(actor=member, note="x", proposed={}, language="en"),
        reason="duplicate",
    )
    editor_client(client)
    listed = [s.pk for s in client.get("/en/directory/manage/suggestions/").context["page"]]
    assert listed == [second.pk, first.pk]


def test_a_suggestion_of_unknown_fields_is_refused():
    member = make_member(make_organisation())
    with pytest.raises(ValidationError):
        services.suggestion_create(actor=member, note="x", proposed={"admin": "1"}, language="en")


# --- demo content -------------------------------------------------------------------------------


def test_the_demo_content_loads_once_and_is_searchable(django_capture_on_commit_callbacks):
    from kopa.circle import seeding
    from kopa.circle.models import MemberProfile
    from kopa.site.seeding import seed_demo, seed_project

    seed_project()
    seed_demo()
    with django_capture_on_commit_callbacks(execute=True):
        first = seeding.seed_demo()
    assert first.created == len(seeding.SERVICES) + len(seeding.PROFILES) + 1
    again = seeding.seed_demo()
    assert (again.created, again.updated) == (0, 0)
    assert AuditEntry.objects.filter(action="circle.seed.demo_loaded").count() == 1
    assert {s.original_language for s in Service.objects.all()} == {"lv", "et", "uk"}
    zones = set(Schedule.objects.values_list("time_zone", flat=True))
    assert zones == {"Europe/Riga", "Europe/Tallinn"}
    member = MemberProfile.objects.get(user__email="member.one@demo.kopa.invalid")
    assert member.pk == seeding.profile_id("member.one@demo.kopa.invalid")
    assert Suggestion.objects.get().status == "open"
    food_bank = seeding.demo_id("service:riga-food-bank")
    assert str(ranked_service_ids("продуктовий банк")[0]) == food_bank
    # An editor's change to a demo entry survives the next start.
    Service.objects.filter(pk=food_bank).update(status="inactive")
    seeding.seed_demo()
    assert Service.objects.get(pk=food_bank).status == "inactive"


def test_the_organisation_is_named_and_a_known_name_links_to_it(client):
    service = make_service()
    known = make_service(
        organization={
            "id": "0b0c4e2a-1111-4c1a-9d33-000000000001",
            "name": "Valmieras bibliotēka",
            "description": "Bibliotēka.",
        }
    )
    editor_client(client)
    data = edit_data(client, service)
    data["organization_name"] = "  VALMIERAS   biblioteka "
    assert client.post(f"/en/directory/manage/services/{service.pk}/", data).status_code == 302
    service.refresh_from_db()
    assert service.organization_id == known.organization_id
    entry = AuditEntry.objects.get(action="circle.service.updated")
    assert entry.data["changed"] == ["organization_id"]
    # The two imports' organisations only: no new one.
    assert AuditEntry.objects.filter(action="circle.organization.created").count() == 2


def test_the_review_queue_reads_in_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor_client(client)
    make_service()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/directory/manage/review/").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(4):
        make_service()
    assert queries() == few
