"""`kopa seed`: the project as its source document states it, demo data, and safe re-runs."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import models

from kopa.accounts.models import Membership, Organisation, User
from kopa.core.i18n import TranslatedField, raw_translations
from kopa.core.models import AuditEntry
from kopa.programme.models import (
    Activity,
    ActivityKind,
    Priority,
    Project,
    ProjectPartner,
    TargetGroup,
)
from kopa.site import seeding
from kopa.site.seeding import DEMO_PASSWORD, SeedError, seed_demo, seed_project

LANGUAGES = {"lv", "et", "en", "uk", "ru"}
TARGET_GROUPS = {
    "librarians",
    "municipal-specialists",
    "ngo-representatives",
    "crisis-specialists",
    "volunteers",
}
LOCAL_ACTIVITIES = {
    "ethnographic-open-air-museum-visit": ("field-trip", "Latvian Ethnographic Open-Air Museum"),
    "national-museum-of-art-old-riga": ("field-trip", "Riga"),
    "ceramics-workshop-vaidava": ("workshop", "Vaidava"),
    "dare-co-creation-workshop": ("workshop", "DARE, Valmiera Development Agency"),
    "soup-kitchen-cooking-storytelling": ("storytelling-evening", "soup kitchen, Valmiera"),
}
SEEDED_MODELS: list[type[models.Model]] = [
    Organisation,
    TargetGroup,
    ActivityKind,
    Project,
    Priority,
    Activity,
]
# A fixed moment for the demo: 10 March 2026, midday in Riga.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


def texts(value: object) -> dict[str, str]:
    return dict(raw_translations(value))


def row_counts() -> dict[str, int]:
    every = [*SEEDED_MODELS, ProjectPartner, User, Membership]
    return {model.__name__: model.objects.count() for model in every}


@pytest.fixture
def project() -> Project:
    seed_project()
    return Project.objects.get(slug="kopa-talak")


@pytest.mark.django_db
def test_it_loads_the_project_name_in_five_languages_with_latvian_as_original(project):
    assert texts(project.name) == {
        "lv": "Kopā tālāk",
        "en": "Forward Together",
        "et": "Koos edasi",
        "uk": "Разом далі",
        "ru": "Вместе дальше",
    }
    assert project.original_language == "lv"
    assert project.is_demo is False


@pytest.mark.django_db
def test_it_loads_the_funding_and_the_indicative_period(project):
    assert project.funding_programme == "Erasmus+"
    assert project.action_code == "KA210-ADU"
    assert texts(project.action_name)["en"] == "Small-scale partnerships in adult education"
    assert project.call_year == 2022
    assert project.start_date == dt.date(2023, 1, 1)
    assert project.end_date == dt.date(2025, 1, 1)
    assert project.currency == "EUR"
    assert project.total_cost == Decimal("15000")
    assert project.external_cofinancing == Decimal("15000")
    assert project.municipal_cofinancing == Decimal("0")


@pytest.mark.django_db
def test_it_loads_summary_goal_and_task_from_the_document(project):
    assert (
        "Estonia and Latvia have little experience with war refugees"
        in texts(project.summary)["en"]
    )
    assert "kā strādāt ar kara bēgļiem" in texts(project.goal)["lv"]
    assert "support circle" in texts(project.task)["en"]


@pytest.mark.django_db
def test_kardla_library_is_lead_partner_and_valmiera_library_proposer_and_partner(project):
    roles = {p.organisation.slug: p.role for p in ProjectPartner.objects.filter(project=project)}
    assert roles == {"kardla-library": "lead", "valmiera-library": "partner"}
    assert project.proposer.slug == "valmiera-library"

    kardla = Organisation.objects.get(slug="kardla-library")
    assert texts(kardla.name)["et"] == "Kärdla linna raamatukogu"
    assert texts(kardla.name)["lv"] == "Kärdlas pilsētas bibliotēka"
    assert texts(kardla.name)["en"] == "Kärdla City Library"
    assert (kardla.original_language, kardla.country, kardla.region) == (
        "et",
        "EE",
        "Kärdla, Hiiumaa",
    )
    valmiera = Organisation.objects.get(slug="valmiera-library")
    assert texts(valmiera.name)["lv"] == "Valmieras bibliotēka"
    assert texts(valmiera.name)["en"] == "Valmiera Library"
    assert (valmiera.original_language, valmiera.country, valmiera.region) == (
        "lv",
        "LV",
        "Valmiera",
    )
    for library in (kardla, valmiera):
        assert library.kind == Organisation.Kind.LIBRARY
        assert library.is_demo is False


@pytest.mark.django_db
def test_it_invents_no_contact_details_for_the_real_libraries(project):
    for library in Organisation.objects.filter(is_demo=False):
        assert (library.email, library.phone, library.address, library.website) == ("", "", "", "")


@pytest.mark.django_db
def test_it_loads_the_priorities_in_the_document_order(project):
    priorities = [texts(p.text)["en"] for p in project.priorities.order_by("position")]
    assert priorities == [
        "Developing the competences of staff involved in non-formal adult education",
        "Making learning opportunities more accessible to adults",
        "Intercultural and intergenerational dialogue that reduces social inequality",
        "Gathering new experience and interdisciplinary cooperation",
    ]


@pytest.mark.django_db
def test_it_attaches_the_five_target_groups_to_the_project(project):
    assert set(project.target_groups.values_list("code", flat=True)) == TARGET_GROUPS


@pytest.mark.django_db
def test_it_loads_the_four_kinds_of_activity_in_order(project):
    assert list(ActivityKind.objects.values_list("code", flat=True)) == [
        "international-seminar",
        "workshop",
        "field-trip",
        "storytelling-evening",
    ]


@pytest.mark.django_db
def test_it_loads_the_two_international_seminars(project):
    seminars = {a.slug: a for a in project.activities.filter(kind__code="international-seminar")}
    assert set(seminars) == {
        "seminar-2023-art-of-conversation",
        "seminar-2024-art-of-storytelling",
    }
    conversation = seminars["seminar-2023-art-of-conversation"]
    assert (conversation.planned_start, conversation.planned_end) == (
        dt.date(2023, 10, 1),
        dt.date(2023, 10, 31),
    )
    assert texts(conversation.theme)["lv"] == "Sarunāšanās māksla"
    assert texts(conversation.theme)["en"] == "The art of conversation"

    storytelling = seminars["seminar-2024-art-of-storytelling"]
    assert (storytelling.planned_start, storytelling.planned_end) == (
        dt.date(2024, 9, 1),
        dt.date(2024, 9, 30),
    )
    assert texts(storytelling.theme)["lv"] == "Stāstīšanas māksla teorijā un praksē"
    assert texts(storytelling.theme)["en"] == "The art of storytelling in theory and practice"

    for seminar in seminars.values():
        assert seminar.planned_precision == Activity.Precision.MONTH
        assert set(seminar.organisers.values_list("slug", flat=True)) == {
            "kardla-library",
            "valmiera-library",
        }


@pytest.mark.django_db
def test_it_loads_the_five_local_activities_with_their_kinds_and_places(project):
    local = project.activities.exclude(kind__code="international-seminar")
    assert {a.slug for a in local} == set(LOCAL_ACTIVITIES)
    for activity in local:
        kind, place = LOCAL_ACTIVITIES[activity.slug]
        assert activity.kind.code == kind
        assert place in texts(activity.venue)["en"]
        assert (activity.planned_start, activity.planned_end) == (
            dt.date(2023, 1, 1),
            dt.date(2024, 12, 31),
        )
        assert activity.planned_precision == Activity.Precision.YEAR
        assert list(activity.organisers.values_list("slug", flat=True)) == ["valmiera-library"]
    dare = local.get(slug="dare-co-creation-workshop")
    assert "Your personal work studio" in texts(dare.title)["en"]
    soup = local.get(slug="soup-kitchen-cooking-storytelling")
    assert "borscht" in texts(soup.purpose)["en"]
    assert "plātsmaize" in texts(soup.purpose)["lv"]


@pytest.mark.django_db
def test_every_activity_is_planned_in_latvia_for_all_five_target_groups(project):
    activities = project.activities.all()
    assert len(activities) == 7
    for activity in activities:
        # The document's checklist is unticked: nothing is open or held yet.
        assert activity.status == Activity.Status.PLANNED
        assert (activity.country, activity.time_zone) == ("LV", "Europe/Riga")
        assert (activity.starts_at, activity.ends_at) == (None, None)
        assert activity.original_language == "lv"
        assert activity.is_demo is False
        assert set(activity.target_groups.values_list("code", flat=True)) == TARGET_GROUPS


@pytest.mark.django_db
def test_every_translated_text_is_in_all_five_languages():
    seed_project()
    seed_demo(now=NOW)
    empty = set()
    for model in SEEDED_MODELS:
        fields = [f for f in model._meta.get_fields() if isinstance(f, TranslatedField)]
        for record in model.objects.all():
            for field in fields:
                value = texts(getattr(record, field.name))
                if not value:
                    empty.add((model.__name__, getattr(record, "slug", record.pk), field.name))
                    continue
                assert set(value) == LANGUAGES, (record, field.name)
                assert all(text.strip() for text in value.values()), (record, field.name)
    # The document names a theme only for the two seminars and a venue only for the local
    # activities; nothing is made up for the others. Agendas come when an activity is prepared.
    seminars = {"seminar-2023-art-of-conversation", "seminar-2024-art-of-storytelling"}
    assert empty == (
        {("Activity", slug, "theme") for slug in LOCAL_ACTIVITIES}
        | {("Activity", slug, "venue") for slug in seminars}
        | {("Activity", slug, "agenda") for slug in Activity.objects.values_list("slug", flat=True)}
        # The fictional demo programme has no funder to thank.
        | {("Project", "demo-programme-2027", "funding_statement")}
    )


@pytest.mark.django_db
def test_running_it_twice_changes_nothing():
    first = seed_project()
    counts = row_counts()
    updated = dict(Activity.objects.values_list("slug", "updated"))
    versions = dict(Organisation.objects.values_list("slug", "version"))

    second = seed_project()

    assert first.created == 26
    assert (second.created, second.updated, second.unchanged) == (0, 0, 26)
    assert row_counts() == counts
    assert dict(Activity.objects.values_list("slug", "updated")) == updated
    assert dict(Organisation.objects.values_list("slug", "version")) == versions


@pytest.mark.django_db
def test_it_restores_a_fact_that_differs_from_the_document(project):
    project.total_cost = Decimal("99.00")
    project.save()
    seminar = Activity.objects.get(slug="seminar-2023-art-of-conversation")
    seminar.planned_start = dt.date(2023, 9, 1)
    seminar.target_groups.remove(TargetGroup.objects.get(code="volunteers"))
    seminar.save()

    report = seed_project()

    assert (report.created, report.updated) == (0, 2)
    assert Project.objects.get(pk=project.pk).total_cost == Decimal("15000")
    seminar.refresh_from_db()
    assert seminar.planned_start == dt.date(2023, 10, 1)
    assert set(seminar.target_groups.values_list("code", flat=True)) == TARGET_GROUPS


@pytest.mark.django_db
def test_a_reload_keeps_what_coordinators_own(project):
    seminar = Activity.objects.get(slug="seminar-2023-art-of-conversation")
    seminar.status = Activity.Status.HELD
    seminar.save()
    library = Organisation.objects.get(slug="valmiera-library")
    library.email = "info@example.org"
    library.description = {"en": "Written by the library itself."}
    library.save()

    report = seed_project()

    assert report.updated == 0
    seminar.refresh_from_db()
    assert seminar.status == Activity.Status.HELD
    library.refresh_from_db()
    assert library.email == "info@example.org"
    assert texts(library.description) == {"en": "Written by the library itself."}


@pytest.mark.django_db
def test_it_writes_an_audit_record_only_when_something_changed():
    seed_project()
    seed_project()
    entries = AuditEntry.objects.filter(action="site.seed.loaded")
    assert entries.count() == 1
    assert entries.get().data == {"created": 26, "updated": 0, "unchanged": 0}

    Project.objects.filter(slug="kopa-talak").update(call_year=2021)
    seed_project()
    assert entries.count() == 2
    assert entries.first().data == {"created": 0, "updated": 1, "unchanged": 25}


@pytest.mark.django_db
def test_a_malformed_entry_fails_with_one_line_and_saves_nothing(tmp_path):
    data = json.loads(seeding.PROJECT_FILE.read_text(encoding="utf-8"))
    del data["project"]["funding_programme"]
    path = tmp_path / "project.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(SeedError, match="funding_programme") as error:
        seed_project(path=path)

    assert "\n" not in str(error.value)
    assert not TargetGroup.objects.exists()
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_a_text_missing_a_language_is_refused(tmp_path):
    data = json.loads(seeding.PROJECT_FILE.read_text(encoding="utf-8"))
    del data["target_groups"][0]["name"]["uk"]
    path = tmp_path / "project.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(SeedError, match="lacks languages: uk"):
        seed_project(path=path)


@pytest.mark.django_db
def test_demo_records_are_all_marked_as_fictional(project):
    seed_demo(now=NOW)

    demo_organisations = Organisation.objects.filter(is_demo=True)
    assert demo_organisations.count() == 2
    assert {o.kind for o in demo_organisations} == {"ngo", "municipality"}
    assert {o.country for o in demo_organisations} == {"LV", "EE"}
    for organisation in demo_organisations:
        names = texts(organisation.name)
        assert set(names) == LANGUAGES
        assert all(n.endswith(("(demo)", "(демо)")) for n in names.values()), names
        assert organisation.slug.startswith("demo-")

    demo_project = Project.objects.get(slug="demo-programme-2027")
    assert demo_project.is_demo is True
    assert set(demo_project.partners.values_list("organisation__slug", flat=True)) == {
        "demo-open-doors-association",
        "demo-sunny-bay-social-services",
        "valmiera-library",
    }
    assert list(Activity.objects.filter(is_demo=True).order_by("slug")) == list(
        demo_project.activities.order_by("slug")
    )
    for activity in demo_project.activities.all():
        assert activity.is_demo is True
        assert all(t.endswith(("(demo)", "(демо)")) for t in texts(activity.title).values())

    assert all(u.email.endswith("@demo.kopa.invalid") for u in User.objects.all())
    # The real project stays exactly as the document says.
    assert project.activities.count() == 7
    assert not project.activities.filter(is_demo=True).exists()
    assert not Organisation.objects.filter(
        slug__in=["kardla-library", "valmiera-library"], is_demo=True
    ).exists()


@pytest.mark.django_db
def test_demo_people_can_sign_in_with_the_demo_password(project):
    seed_demo(now=NOW)

    people = User.objects.all()
    assert people.count() == 8
    for person in people:
        assert person.check_password(DEMO_PASSWORD), person.email
        assert "Demo" in person.full_name
    assert list(User.objects.filter(is_project_admin=True).values_list("email", flat=True)) == [
        "admin@demo.kopa.invalid"
    ]
    assert len({person.preferred_language for person in people}) >= 4

    roles = {
        (m.organisation.slug, m.role) for m in Membership.objects.select_related("organisation")
    }
    assert {
        ("valmiera-library", "coordinator"),
        ("kardla-library", "coordinator"),
        ("demo-open-doors-association", "coordinator"),
        ("demo-sunny-bay-social-services", "coordinator"),
        ("valmiera-library", "editor"),
    } <= roles
    assert sum(1 for _slug, role in roles if role == "member") == 2


@pytest.mark.django_db
def test_a_reload_keeps_a_password_a_demo_person_changed(project):
    seed_demo(now=NOW)
    person = User.objects.get(email="editor@demo.kopa.invalid")
    person.set_password("changed-by-the-visitor")
    person.save()

    seed_demo(now=NOW)

    person.refresh_from_db()
    assert person.check_password("changed-by-the-visitor")


@pytest.mark.django_db
def test_demo_activities_are_upcoming_evenings_one_of_each_kind(project):
    seed_demo(now=NOW)

    activities = Activity.objects.filter(is_demo=True).select_related("kind")
    assert sorted((a.starts_at - NOW).days for a in activities) == [14, 30, 45, 70]
    assert {a.kind.code for a in activities} == {
        "international-seminar",
        "workshop",
        "field-trip",
        "storytelling-evening",
    }
    for activity in activities:
        assert activity.status in {Activity.Status.OPEN, Activity.Status.PLANNED}
        assert activity.time_zone in {"Europe/Riga", "Europe/Tallinn"}
        start = activity.starts_at.astimezone(zoneinfo.ZoneInfo(activity.time_zone))
        end = activity.ends_at.astimezone(zoneinfo.ZoneInfo(activity.time_zone))
        assert (start.time(), end.time()) == (dt.time(17), dt.time(19))
        assert activity.planned_start == activity.planned_end == start.date()
        assert activity.planned_precision == Activity.Precision.DAY
    demo_project = Project.objects.get(slug="demo-programme-2027")
    assert demo_project.start_date == dt.date(2026, 3, 10)
    assert demo_project.end_date == dt.date(2027, 3, 10)


@pytest.mark.django_db
def test_reloading_the_demo_on_a_later_day_neither_duplicates_nor_moves_it(project):
    seed_demo(now=NOW)
    starts = dict(Activity.objects.filter(is_demo=True).values_list("slug", "starts_at"))
    counts = row_counts()

    report = seed_demo(now=NOW + dt.timedelta(days=10))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 25)
    assert row_counts() == counts
    assert dict(Activity.objects.filter(is_demo=True).values_list("slug", "starts_at")) == starts
    assert AuditEntry.objects.filter(action="site.seed.demo_loaded").count() == 1


@pytest.mark.django_db
def test_the_demo_needs_the_project_loaded_first():
    with pytest.raises(SeedError, match="load the project first"):
        seed_demo(now=NOW)
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_created_updated_and_unchanged_counts():
    out = io.StringIO()
    call_command("seed", stdout=out)
    call_command("seed", stdout=out)
    assert out.getvalue().splitlines() == [
        "Kopā tālāk: 26 created, 0 updated, 0 unchanged",
        "Kopā tālāk: 0 created, 0 updated, 26 unchanged",
    ]


@pytest.mark.django_db
def test_the_command_with_demo_loads_the_project_then_the_demo():
    out = io.StringIO()
    call_command("seed", "--demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:2] == [
        "Kopā tālāk: 26 created, 0 updated, 0 unchanged",
        "Demo data: 25 created, 0 updated, 0 unchanged",
    ]
    # then one line per domain's demo content, and the warning about the demo password
    assert DEMO_PASSWORD in lines[-1]
    assert {e.action for e in AuditEntry.objects.all()} >= {
        "site.seed.loaded",
        "site.seed.demo_loaded",
        "circle.taxonomy.loaded",
    }


@pytest.mark.django_db
def test_the_command_fails_clearly_when_the_seed_file_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(seeding, "PROJECT_FILE", tmp_path / "missing.json")
    with pytest.raises(CommandError, match="seed file not found: .*missing.json"):
        call_command("seed", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_command_fails_clearly_when_the_seed_file_is_not_json(tmp_path, monkeypatch):
    broken = tmp_path / "project.json"
    broken.write_text('{"target_groups": [', encoding="utf-8")
    monkeypatch.setattr(seeding, "PROJECT_FILE", broken)
    with pytest.raises(CommandError, match=r"is not valid JSON: .* line 1") as error:
        call_command("seed", stdout=io.StringIO())
    assert "\n" not in str(error.value)


def test_the_seed_files_are_shipped_with_the_package():
    # pyproject's package-data includes seed/**, so an installed `kopa` finds them.
    for path in (seeding.PROJECT_FILE, seeding.DEMO_FILE):
        assert path.parent == Path(seeding.__file__).resolve().parent / "seed"
        assert json.loads(path.read_text(encoding="utf-8"))
