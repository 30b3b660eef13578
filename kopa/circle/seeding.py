"""Fictional demo content of the support circle for `kopa seed --demo`.

Five made-up services in Valmiera, Riga, Kärdla and Tallinn, described in Latvian, Estonian and
Ukrainian (with some translations), profiles for the demo people, and one open suggestion. Every
organisation's name ends in "(demo)" and every person is at @demo.kopa.invalid.

Each record is created only when it is missing (by a fixed id), never updated: `make run` seeds
on every start, and an editor's changes to a demo entry, or a demo person's own profile, must
not be undone by the next start. A second run therefore changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from kopa.accounts.models import Membership, User
from kopa.circle.models import MemberProfile, Service, Suggestion
from kopa.circle.services import service_import
from kopa.core.audit import audit_log
from kopa.site.seeding import DEMO_EMAIL_DOMAIN, SeedError, SeedReport

NAMESPACE = uuid.UUID("6f1c0a52-3c0e-4a8e-9a4e-2b7d1c5e8f10")

LEGAL_AID = "5e2a3afe-e3a7-411d-b01b-d468a4323054"
LANGUAGE_COURSES = "6ed5784c-a0f1-431a-b8d7-1a67dadca3e3"
CULTURE = "7d92b898-e716-4b18-9487-320064460414"
FOOD = "902bb0eb-a417-4abc-b781-d32c02dec644"
MENTAL_HEALTH = "157f9ec0-3e01-457c-8d3f-e36b7f135f47"
HELPLINE = "a4f19b6e-2c73-4d08-b5e1-7f6a3c9d2e58"
DOCUMENTS = "b4d8f051-c16f-4f16-b11a-f3e2832f83bf"


# "A fictional organisation, made up to demonstrate the platform."
FICTIONAL = {
    "lv": "Izdomāta organizācija, kas izveidota tikai platformas demonstrēšanai.",
    "et": "Väljamõeldud organisatsioon, mis on loodud ainult platvormi tutvustamiseks.",
    "uk": "Вигадана організація, створена лише для демонстрації платформи.",
}


def demo_id(name: str) -> str:
    """A fixed id for a demo record, the same on every site and every run."""
    return str(uuid.uuid5(NAMESPACE, name))


def profile_id(email: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"profile:{email}")


def _service(
    key: str,
    *,
    language: str,
    name: str,
    description: str,
    organization: str,
    address: tuple[str, str, str, str],
    position: tuple[float, float],
    zone: str,
    hours: list[tuple[str, str, str]],
    languages: list[str],
    terms: list[str],
    phone: str,
    free: bool = True,
    eligibility: str = "",
    documents: list[str] | None = None,
    translations: dict[str, dict[str, str]] | None = None,
    assured_date: str | None = None,
) -> dict[str, Any]:
    sid = demo_id(f"service:{key}")
    lid = demo_id(f"location:{key}")
    street, postal_code, city, country = address
    record: dict[str, Any] = {
        "id": sid,
        "name": name,
        "description": description,
        "status": "active",
        "x_original_language": language,
        "organization": {
            "id": demo_id(f"organization:{key}"),
            "name": organization,
            "description": FICTIONAL[language],
            "x_original_language": language,
        },
        "service_at_locations": [
            {
                "id": demo_id(f"sal:{key}"),
                "service_id": sid,
                "location_id": lid,
                "location": {
                    "id": lid,
                    "location_type": "physical",
                    "latitude": position[0],
                    "longitude": position[1],
                    "x_original_language": language,
                    "addresses": [
                        {
                            "id": demo_id(f"address:{key}"),
                            "address_1": street,
                            "city": city,
                            "state_province": "",
                            "postal_code": postal_code,
                            "country": country,
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "phones": [{"id": demo_id(f"phone:{key}"), "number": phone, "type": "voice"}],
        "languages": [
            {"id": demo_id(f"language:{key}:{code}"), "code": code} for code in languages
        ],
        "schedules": [
            {
                "id": demo_id(f"schedule:{key}:{index}"),
                "freq": "WEEKLY",
                "byday": days,
                "opens_at": opens,
                "closes_at": closes,
                "x_timezone": zone,
            }
            for index, (days, opens, closes) in enumerate(hours)
        ],
        "attributes": [
            {
                "id": demo_id(f"attribute:{key}:{term}"),
                "link_id": sid,
                "link_type": "category",
                "link_entity": "service",
                "taxonomy_term_id": term,
            }
            for term in terms
        ],
    }
    if eligibility:
        record["eligibility_description"] = eligibility
    if free:
        record["cost_options"] = [{"id": demo_id(f"cost:{key}"), "amount": 0, "currency": "EUR"}]
    if documents:
        record["required_documents"] = [
            {"id": demo_id(f"document:{key}:{index}"), "document": text}
            for index, text in enumerate(documents)
        ]
    if translations:
        record["x_translations"] = translations
    if assured_date:
        record["assured_date"] = assured_date
    return record


SERVICES = [
    _service(
        "valmiera-legal-aid",
        language="lv",
        name="Bezmaksas juridiskā palīdzība bēgļiem (demo)",
        description=(
            "Jurists palīdz ar uzturēšanās atļaujām, darba līgumiem un īres līgumiem. "
            "Konsultācijas bibliotēkas klusajā telpā, pēc iepriekšēja pieraksta pa tālruni. "
            "Izdomāts pakalpojums platformas demonstrēšanai."
        ),
        organization="Biedrība “Taisnīgs ceļš” (demo)",
        address=("Rīgas iela 10", "LV-4201", "Valmiera", "LV"),
        position=(57.5392, 25.4248),
        zone="Europe/Riga",
        hours=[("TU,TH", "10:00", "14:00")],
        languages=["lv", "uk", "ru"],
        terms=[LEGAL_AID, DOCUMENTS],
        phone="+371 2000 0101",
        eligibility="Cilvēki, kas bēguši no kara, un viņu ģimenes.",
        documents=["Personu apliecinošs dokuments", "Uzturēšanās atļauja, ja tāda ir"],
        translations={
            "name": {"uk": "Безкоштовна юридична допомога біженцям (демо)"},
            "description": {
                "uk": (
                    "Юрист допомагає з дозволами на проживання, трудовими договорами та "
                    "договорами оренди. Консультації в тихій кімнаті бібліотеки, за попереднім "
                    "записом телефоном. Вигадана послуга для демонстрації платформи."
                )
            },
        },
        assured_date="2024-09-02",
    ),
    _service(
        "kardla-language-cafe",
        language="et",
        name="Keelekohvik raamatukogus (demo)",
        description=(
            "Kord nädalas räägime teed juues eesti keelt: algajad ja edasijõudnud koos, "
            "vabatahtlikud vestluspartnerid aitavad. Väljamõeldud teenus platvormi tutvustamiseks."
        ),
        organization="Hiiumaa keeleklubi (demo)",
        address=("Vabrikuväljak 5", "92411", "Kärdla", "EE"),
        position=(58.9979, 22.7490),
        zone="Europe/Tallinn",
        hours=[("WE", "17:00", "19:00")],
        languages=["et", "uk", "ru", "en"],
        terms=[LANGUAGE_COURSES, CULTURE],
        phone="+372 5000 0202",
        translations={"name": {"en": "Language café at the library (demo)"}},
    ),
    _service(
        "riga-food-bank",
        language="uk",
        name="Продуктовий банк для родин (демо)",
        description=(
            "Продуктові набори та засоби гігієни для родин, які втекли від війни. Приходьте "
            "у години роботи; черга рухається швидко. Вигадана послуга для демонстрації "
            "платформи."
        ),
        organization="Благодійний фонд «Теплий дім» (демо)",
        address=("Brīvības iela 99", "LV-1001", "Rīga", "LV"),
        position=(56.9606, 24.1270),
        zone="Europe/Riga",
        hours=[("MO,WE,FR", "12:00", "16:00")],
        languages=["uk", "ru", "lv"],
        terms=[FOOD],
        phone="+371 2000 0303",
        documents=["Будь-який документ, що посвідчує особу"],
        translations={"name": {"lv": "Pārtikas banka ģimenēm (demo)"}},
        assured_date="2025-03-10",
    ),
    _service(
        "tallinn-first-aid",
        language="et",
        name="Psühholoogiline esmaabi telefonil (demo)",
        description=(
            "Kui on raske, helista: koolitatud vabatahtlikud kuulavad ööpäev läbi eesti, "
            "ukraina ja vene keeles. Väljamõeldud teenus platvormi tutvustamiseks."
        ),
        organization="Tallinna tugiliin (demo)",
        address=("Narva maantee 7", "10117", "Tallinn", "EE"),
        position=(59.4372, 24.7580),
        zone="Europe/Tallinn",
        hours=[("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")],
        languages=["et", "uk", "ru"],
        terms=[MENTAL_HEALTH, HELPLINE],
        phone="+372 5000 0404",
        translations={
            "name": {"uk": "Психологічна перша допомога телефоном (демо)"},
            "description": {
                "uk": (
                    "Якщо важко, телефонуйте: навчені волонтери слухають цілодобово "
                    "естонською, українською та російською. Вигадана послуга для "
                    "демонстрації платформи."
                )
            },
        },
    ),
    _service(
        "valmiera-support-group",
        language="uk",
        name="Група підтримки для мам (демо)",
        description=(
            "Зустрічі для мам, які виховують дітей далеко від дому: розмова, чай і поради "
            "психолога. Діти можуть гратися поруч. Вигадана послуга для демонстрації платформи."
        ),
        organization="Громадська організація «Поруч» (демо)",
        address=("Lāčplēša iela 2", "LV-4201", "Valmiera", "LV"),
        position=(57.5371, 25.4232),
        zone="Europe/Riga",
        hours=[("SA", "11:00", "13:00")],
        languages=["uk", "ru"],
        terms=[MENTAL_HEALTH],
        phone="+371 2000 0505",
        translations={"name": {"lv": "Atbalsta grupa mammām (demo)"}},
        assured_date="2026-06-01",
    ),
]

PROFILES: dict[str, dict[str, Any]] = {
    "member.one": {
        "role": "Brīvprātīgā tulce",
        "original_language": "uk",
        "expertise": {
            "uk": "Перекладаю з української та російської на латиську; знаю, як записатися "
            "до лікаря.",
            "en": "I interpret from Ukrainian and Russian into Latvian; I know how to book a "
            "doctor's appointment.",
        },
        "languages": "lv,ru,uk",
        "region": "Valmiera",
        "offers_peer_support": True,
    },
    "member.two": {
        "role": "Sotsiaaltöötaja",
        "original_language": "et",
        "expertise": {
            "et": "Toetused, elukoha registreerimine ja lastehoid Hiiumaal.",
            "en": "Benefits, registering a home address and childcare on Hiiumaa.",
        },
        "languages": "en,et,ru",
        "region": "Hiiumaa",
        "offers_peer_support": False,
    },
    "editor": {
        "role": "Bibliotekāre",
        "original_language": "lv",
        "expertise": {
            "lv": "Uzturu bibliotēkas pakalpojumu katalogu un zinu vietējās organizācijas.",
            "en": "I keep the library's directory of services and know the local organisations.",
        },
        "languages": "en,lv,ru",
        "region": "Valmiera",
        "offers_peer_support": True,
    },
    "coordinator.valmiera": {
        "role": "Projekta koordinatore",
        "original_language": "lv",
        "expertise": {
            "lv": "Pasākumu plānošana kopā ar jaunpienācējiem.",
            "en": "Planning activities together with newcomers.",
        },
        "languages": "en,lv",
        "region": "Valmiera",
        "offers_peer_support": False,
    },
    "coordinator.kardla": {
        "role": "Projektijuht",
        "original_language": "et",
        "expertise": {
            "et": "Jutuõhtud ja raamatukogu kogukonnatöö.",
            "en": "Storytelling evenings and the library's community work.",
        },
        "languages": "en,et",
        "region": "Kärdla",
        "offers_peer_support": True,
    },
}

SUGGESTION_ID = uuid.UUID(demo_id("suggestion:kardla-clothes"))


def seed_demo() -> SeedReport:
    report = SeedReport(label="Support circle (demo)")
    with transaction.atomic():
        for record in SERVICES:
            if Service.objects.filter(pk=record["id"]).exists():
                report.unchanged += 1
                continue
            # Imported as a feed would be: validated, audited, indexed for search after commit.
            service_import(record=record)
            report.created += 1
        for local, values in PROFILES.items():
            _profile(report, f"{local}@{DEMO_EMAIL_DOMAIN}", values)
        _suggestion(report)
        if report.changed:
            audit_log(action="circle.seed.demo_loaded", data=report.counts())
    return report


def _user(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise SeedError(f"no demo person {email} (load the demo people first: kopa seed --demo)")
    return user


def _profile(report: SeedReport, email: str, values: dict[str, Any]) -> None:
    user = _user(email)
    if MemberProfile.objects.filter(user=user).exists():
        report.unchanged += 1
        return
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    MemberProfile.objects.create(
        id=profile_id(email),
        user=user,
        organisation=membership.organisation if membership else None,
        **values,
    )
    report.created += 1


def _suggestion(report: SeedReport) -> None:
    if Suggestion.objects.filter(pk=SUGGESTION_ID).exists():
        report.unchanged += 1
        return
    Suggestion.objects.create(
        id=SUGGESTION_ID,
        kind=Suggestion.Kind.NEW,
        suggested_by=_user(f"member.two@{DEMO_EMAIL_DOMAIN}"),
        language="et",
        note=(
            "Kärdla kirikus jagatakse neljapäeviti tasuta riideid; nägin seda ise eelmisel "
            "nädalal. (Väljamõeldud ettepanek platvormi tutvustamiseks.)"
        ),
        proposed={
            "name": "Riidepank (demo)",
            "organization": "Kärdla kogudus (demo)",
            "city": "Kärdla",
            "opening_hours": "Neljapäeviti 15–18",
            "cost": "Tasuta",
        },
    )
    report.created += 1
