"""Time to build the funder's report (`make bench`). Printed, never asserted in tests.

What it does, against 127.0.0.1 only:

1. (re)creates the PostgreSQL database named by KOPA_DATABASE_URL (default
   postgresql://postgres@127.0.0.1:5432/kopa_bench_reporting; it is dropped and made afresh on
   every run, so never point it at a database you keep) and migrates it in-process;
2. loads one project with two partners and a grant record, 500 held activities, 20,000
   attended registrations (40 per activity from a pool of 8,000 people, so many return),
   1,000 photo records, 200 learning materials and 5,000 competence self-assessment responses
   (five retrospective answers each) through kopa.learning's models, all with bulk_create;
   static files are collected into var/bench/reporting-var/ (KOPA_VAR_DIR) for the pages;
3. times, as a project admin through the whole Django stack (middleware, view, template), the
   report dashboard page, the XLSX workbook and the PDF, each once cold and then as the best of
   three (with this process's CPU time for the best run, which a busy machine does not
   inflate), and prints a table, also written to var/bench/reporting.txt.

Exit status 0, or 2 when PostgreSQL cannot be reached.
"""

# ruff: noqa: S311, S608
# S311: the data is made up with `random` on purpose (seeded, reproducible);
# S608: the database name is quoted by psycopg.sql.

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import sys
import time
import urllib.parse
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench" / "reporting.txt"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/kopa_bench_reporting"

ACTIVITIES = 500
REGISTRATIONS = 20_000
PEOPLE = 8_000
RESPONSES = 5_000
PHOTOS = 1_000
MATERIALS = 200
RNG = random.Random(20261124)


def say(message: str) -> None:
    print(f"[bench reporting] {message}", flush=True)


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("bench/reporting.py runs against a local PostgreSQL only")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=urllib.parse.unquote(parts.username or "postgres"),
        password=urllib.parse.unquote(parts.password or "") or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["KOPA_DATABASE_URL"] = url
    os.environ.setdefault("KOPA_SECRET_KEY", secrets.token_urlsafe(48))
    os.environ["KOPA_DEBUG"] = "false"
    os.environ.setdefault("KOPA_VAR_DIR", str(ROOT / "var" / "bench" / "reporting-var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopa.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Production settings serve hashed static names: the pages need the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)


def load() -> tuple[object, object]:
    """The programme; returns (project, admin user)."""
    from django.utils import timezone

    from kopa.accounts.models import Organisation, User
    from kopa.core.models import PrivacyNotice
    from kopa.learning.models import (
        ActivityQuestionnaire,
        Answer,
        Domain,
        Licence,
        Material,
        QuestionnaireTemplate,
        Response,
        TemplateQuestion,
        Theme,
    )
    from kopa.programme.models import (
        Activity,
        ActivityKind,
        ActivityPhoto,
        Project,
        ProjectPartner,
        Registration,
        TargetGroup,
    )
    from kopa.reporting.models import Allocation, DisseminationEntry, Grant

    start = dt.date(2023, 1, 1)
    lead = Organisation.objects.create(slug="bench-lead", name={"en": "Lead"}, country="EE")
    partner = Organisation.objects.create(
        slug="bench-partner", name={"en": "Partner"}, country="LV"
    )
    project = Project.objects.create(
        slug="bench-project",
        name={"en": "Bench project"},
        funding_programme="Erasmus+",
        action_code="KA210-ADU",
        start_date=start,
        end_date=dt.date(2025, 12, 31),
        total_cost=Decimal("60000"),
    )
    ProjectPartner.objects.create(project=project, organisation=lead, role="lead")
    ProjectPartner.objects.create(project=project, organisation=partner, role="partner")
    grant = Grant.objects.create(
        project=project,
        programme="Erasmus+",
        action="KA210-ADU",
        call_year=2022,
        start_date=start,
        end_date=dt.date(2025, 12, 31),
        lump_sum=Decimal("60000"),
    )
    kind = ActivityKind.objects.create(code="workshop", name={"en": "Workshop"})
    groups = [
        TargetGroup.objects.create(code=f"group-{n}", name={"en": f"Group {n}"}) for n in range(5)
    ]
    notice = PrivacyNotice.objects.create(version=1, text={"en": "Bench."})
    admin = User.objects.create_user(
        email="admin@bench.invalid",
        full_name="Bench Admin",
        password=secrets.token_urlsafe(16),
        is_project_admin=True,
    )

    activities = []
    for number in range(ACTIVITIES):
        day = start + dt.timedelta(days=number * 2)
        starts = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        activities.append(
            Activity(
                project=project,
                kind=kind,
                slug=f"bench-activity-{number}",
                title={"en": f"Activity {number}", "lv": f"Aktivitāte {number}"},
                country=RNG.choice(["LV", "EE"]),
                venue={"en": "Library"},
                planned_start=day,
                planned_end=day,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=3),
                status=Activity.Status.HELD,
                agenda={"en": "Agenda"} if number % 3 else {},
                position=number,
            )
        )
    activities = Activity.objects.bulk_create(activities)
    through = Activity.organisers.through
    through.objects.bulk_create(
        [through(activity=a, organisation=RNG.choice([lead, partner])) for a in activities]
    )
    Allocation.objects.bulk_create(
        [
            Allocation(grant=grant, partner=RNG.choice([lead, partner]), activity=a, amount=100)
            for a in activities[:400]
        ]
    )
    DisseminationEntry.objects.bulk_create(
        [
            DisseminationEntry(
                grant=grant,
                date=start + dt.timedelta(days=n * 7),
                kind=RNG.choice(["event", "publication", "media", "social"]),
                title=f"Entry {n}",
                reach=RNG.randint(10, 5000),
                eu_visibility=bool(n % 4),
            )
            for n in range(100)
        ]
    )
    say(f"{len(activities)} activities")

    now = timezone.now()
    registrations = []
    per_activity = REGISTRATIONS // ACTIVITIES
    countries = ["UA"] * 12 + ["LV"] * 5 + ["EE"] * 5 + ["FI", "DK", "PL", "LT"]
    for activity in activities:
        for person in RNG.sample(range(PEOPLE), per_activity):
            registrations.append(
                Registration(
                    activity=activity,
                    status=Registration.Status.CONFIRMED,
                    name=f"Person {person}",
                    email=f"person{person}@bench.invalid",
                    country=RNG.choice(countries),
                    participant_group=RNG.choice([*groups, None]),
                    language=RNG.choice(["lv", "et", "en", "uk", "ru"]),
                    consent_notice=notice,
                    consented_at=now,
                    attended_at=activity.starts_at if RNG.random() < 0.9 else None,
                )
            )
    registrations = Registration.objects.bulk_create(registrations, batch_size=2000)
    say(f"{len(registrations)} registrations")
    ActivityPhoto.objects.bulk_create(
        [
            ActivityPhoto(
                activity=RNG.choice(activities), key=secrets.token_hex(16), caption={"en": "A"}
            )
            for _n in range(PHOTOS)
        ]
    )
    Material.objects.bulk_create(
        [
            Material(
                project=project,
                organisation=RNG.choice([lead, partner]),
                kind=RNG.choice(Material.Kind.values),
                title={"en": f"Material {n}"},
                summary={"en": "Summary"},
                theme=RNG.choice(Theme.values),
                licence=RNG.choice(Licence.values),
                activity=RNG.choice(activities),
                country="FI",
            )
            for n in range(MATERIALS)
        ]
    )

    template = QuestionnaireTemplate.objects.create(
        code="bench-competence", kind="competence", title={"en": "Self-assessment"}
    )
    questions = TemplateQuestion.objects.bulk_create(
        [
            TemplateQuestion(
                template=template,
                code=code,
                position=n,
                kind=TemplateQuestion.Kind.RETRO,
                domain=code,
                text={"en": f"I can … ({code})"},
            )
            for n, code in enumerate(Domain.values)
        ]
    )
    questionnaires = ActivityQuestionnaire.objects.bulk_create(
        [
            ActivityQuestionnaire(
                activity=a, template=template, closes_at=a.starts_at + dt.timedelta(days=30)
            )
            for a in activities
        ]
    )
    per_questionnaire = RESPONSES // len(questionnaires)
    responses = Response.objects.bulk_create(
        [
            Response(questionnaire=q, language="uk")
            for q in questionnaires
            for _n in range(per_questionnaire)
        ],
        batch_size=2000,
    )
    answers = []
    for response in responses:
        for question in questions:
            before = RNG.randint(1, 4)
            answers.append(
                Answer(
                    response=response,
                    question=question,
                    before=before,
                    value=min(5, before + RNG.choice([0, 1, 1, 2])),
                )
            )
    Answer.objects.bulk_create(answers, batch_size=5000)
    say(f"{len(responses)} questionnaire responses, {len(answers)} answers")
    return project, admin


def timed(action: Callable[[], object]) -> tuple[float, float, float]:
    """(cold seconds, best of three warm seconds, this process's CPU seconds in that best run).

    The CPU time leaves out PostgreSQL's own work but also the waiting for a CPU on a busy
    machine, so it is the figure to compare between runs there."""
    started = time.perf_counter()
    action()
    cold = time.perf_counter() - started
    warm = []
    for _n in range(3):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        warm.append((time.perf_counter() - started, time.process_time() - cpu))
    best = min(warm)
    return cold, best[0], best[1]


def measure(project: object, admin: object) -> list[tuple[str, float, float, float, int]]:
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    base = f"/en/reports/{project.slug}/"  # type: ignore[attr-defined]
    rows = []
    for label, path in (
        ("dashboard page", base),
        ("XLSX workbook", base + "report.xlsx"),
        ("PDF report", base + "report.pdf"),
    ):
        sizes = []

        def fetch(path: str = path, sizes: list[int] = sizes) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            sizes.append(len(response.content))

        cold, warm, cpu = timed(fetch)
        rows.append((label, cold, warm, cpu, sizes[-1]))
        say(f"{label}: {cold:.2f} s cold, {warm:.2f} s warm ({cpu:.2f} s CPU), {sizes[-1]:,} bytes")
    return rows


def main() -> int:
    url = os.environ.get("KOPA_DATABASE_URL", DEFAULT_URL)
    try:
        recreate_database(url)
    except Exception as error:  # noqa: BLE001 - any connection failure means: cannot run
        print(f"[bench reporting] PostgreSQL is not reachable at {url}: {error}", file=sys.stderr)
        return 2
    setup_django(url)
    started = time.perf_counter()
    project, admin = load()
    say(f"loaded in {time.perf_counter() - started:.1f} s")
    rows = measure(project, admin)
    lines = [
        "Funder's report for 500 activities, 20,000 registrations, 5,000 questionnaire responses",
        f"{'':<16} {'cold (s)':>9} {'warm (s)':>9} {'CPU (s)':>8} {'size (bytes)':>13}",
        *(
            f"{label:<16} {cold:>9.2f} {warm:>9.2f} {cpu:>8.2f} {size:>13,}"
            for label, cold, warm, cpu, size in rows
        ),
        f"load average at the end: {' '.join(f'{n:.1f}' for n in os.getloadavg())} "
        f"on {os.cpu_count()} CPUs",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
