"""Performance figures for the public programme (`make bench`). Printed, never asserted in tests.

What it does, all against 127.0.0.1 only:

1. creates a fresh PostgreSQL database (unique name, dropped at the end even on failure), runs
   `kopa migrate` and `kopa collectstatic` (into var/bench/site, not the site's own var/), and
   loads 1,000 activities and 50,000 registrations with bulk_create;
2. counts the SQL queries of the programme list, one activity page and its registration form
   with 10 activities loaded and again with 1,000 (the counts must not grow with the data), and
   times them in-process, rendered and (where the view caches for anonymous visitors) cached;
3. starts the production server as the README does (`kopa serve`, gunicorn, 2 workers, debug
   off) and runs `wrk` against /healthz, /en/programme/, an activity open for registration and
   its registration form;
4. a registration burst: 500 people, each with its own cookies and CSRF token fetched before,
   submit at once for 30 seats; confirmed must be exactly 30 ("OVERSOLD" is printed otherwise);
5. stops the server, drops the database and prints a table, also written to
   var/bench/programme.txt.

KOPA_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) names the server,
the user and the maintenance database to connect to; the bench database itself always gets a
fresh name. KOPA_BENCH_WRK_DURATION (seconds, default 10), KOPA_BENCH_WRK_CONNECTIONS (16),
KOPA_BENCH_WRK_THREADS (1: on a 2-core machine a second wrk thread takes CPU from the server; the
reference figure for a trivial view, ~3,400 req/s, was measured with one) and KOPA_BENCH_BURST
(500) change the load.

Exit status: 0, or 1 when the burst confirmed more (or fewer) people than seats, or 2 when the
bench could not run.
"""

# ruff: noqa: S311, S603, S607, S608
# S311: the data is made up with `random` on purpose (seeded, reproducible);
# S603/S607: runs the venv's own `kopa`, `wrk` and `apt-get`;
# S608: database names are quoted by psycopg.sql.

from __future__ import annotations

import datetime as dt
import http.client
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "var" / "bench"
SITE_VAR = OUT_DIR / "site"  # collected static files of the bench server
REPORT = OUT_DIR / "programme.txt"
SERVER_LOG = OUT_DIR / "server.log"
KOPA = Path(sys.executable).with_name("kopa")

ACTIVITIES = 1000
REGISTRATIONS = 50_000
SMALL_ACTIVITIES = 10
BURST_SEATS = 30
TARGET_RPS = 1000
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

WRK_DURATION = int(os.environ.get("KOPA_BENCH_WRK_DURATION", "10"))
WRK_CONNECTIONS = int(os.environ.get("KOPA_BENCH_WRK_CONNECTIONS", "16"))
WRK_THREADS = int(os.environ.get("KOPA_BENCH_WRK_THREADS", "1"))
BURST_PEOPLE = int(os.environ.get("KOPA_BENCH_BURST", "500"))
SERVER_WORKERS = 2

LANGS = ["lv", "et", "en", "uk", "ru"]
RNG = random.Random(20240601)


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


class BenchError(Exception):
    """The bench cannot go on (no PostgreSQL, the server did not start, …)."""


# --- the database -------------------------------------------------------------------------------


@dataclass
class Database:
    admin_url: str
    name: str

    @property
    def parts(self) -> urllib.parse.SplitResult:
        return urllib.parse.urlsplit(self.admin_url)

    @property
    def url(self) -> str:
        """The bench database's URL: the admin URL with another database name."""
        return urllib.parse.urlunsplit(self.parts._replace(path="/" + self.name))

    def _admin(self) -> Any:
        import psycopg

        p = self.parts
        return psycopg.connect(
            host=p.hostname or "127.0.0.1",
            port=p.port or 5432,
            user=urllib.parse.unquote(p.username or "postgres"),
            password=urllib.parse.unquote(p.password or "") or None,
            dbname=(p.path or "/postgres").lstrip("/") or "postgres",
            autocommit=True,
            connect_timeout=5,
        )

    def create(self) -> None:
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        from psycopg import sql

        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )


def bench_database() -> Database:
    admin_url = os.environ.get(
        "KOPA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    host = urllib.parse.urlsplit(admin_url).hostname or ""
    if host not in LOOPBACK:
        raise BenchError(f"KOPA_BENCH_DATABASE_URL: the bench only uses loopback, not {host!r}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    return Database(admin_url, f"kopa_bench_{stamp}_{os.getpid()}")


def site_environment(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment of every `kopa` process of the bench: production settings, debug off."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KOPA_") and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kopa.settings",
            "KOPA_DATABASE_URL": database_url,
            "KOPA_SECRET_KEY": secret_key,
            "KOPA_DEBUG": "false",
            "KOPA_HTTPS": "false",
            # testserver: the in-process query counts use Django's test client.
            "KOPA_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "KOPA_VAR_DIR": str(SITE_VAR),
            "KOPA_CACHE_URL": "locmem://",
            # Mail is sent inside the registration request; keep it off the terminal.
            "KOPA_EMAIL_URL": "locmem://",
            # The burst sends every registration from one address; the per-address rate limit
            # (docs/security.md) would refuse all but the first few.
            "KOPA_REGISTRATIONS_PER_HOUR": "1000000",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def kopa(env: dict[str, str], *args: str, timeout: float = 180) -> None:
    result = subprocess.run(
        [str(KOPA), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    if result.returncode != 0:
        raise BenchError(f"kopa {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


# --- the data -----------------------------------------------------------------------------------

KIND_NAMES = {
    "international-seminar": {
        "lv": "Starptautisks seminārs",
        "et": "Rahvusvaheline seminar",
        "en": "International seminar",
        "uk": "Міжнародний семінар",
        "ru": "Международный семинар",
    },
    "workshop": {
        "lv": "Darbnīca",
        "et": "Töötuba",
        "en": "Workshop",
        "uk": "Майстерня",
        "ru": "Мастерская",
    },
    "field-trip": {
        "lv": "Mācību brauciens",
        "et": "Õppereis",
        "en": "Field trip",
        "uk": "Навчальна поїздка",
        "ru": "Учебная поездка",
    },
    "storytelling-evening": {
        "lv": "Stāstu vakars",
        "et": "Lugude õhtu",
        "en": "Storytelling evening",
        "uk": "Вечір історій",
        "ru": "Вечер историй",
    },
    "language-cafe": {
        "lv": "Valodu kafejnīca",
        "et": "Keelekohvik",
        "en": "Language café",
        "uk": "Мовне кафе",
        "ru": "Языковое кафе",
    },
}
GROUP_NAMES = {
    "librarians": (
        "Bibliotekāri",
        "Raamatukoguhoidjad",
        "Librarians",
        "Бібліотекарі",
        "Библиотекари",
    ),
    "volunteers": ("Brīvprātīgie", "Vabatahtlikud", "Volunteers", "Волонтери", "Волонтёры"),
    "refugees": ("Bēgļi", "Põgenikud", "People who fled", "Біженці", "Беженцы"),
    "teachers": ("Skolotāji", "Õpetajad", "Teachers", "Вчителі", "Учителя"),
    "youth": ("Jaunieši", "Noored", "Young people", "Молодь", "Молодёжь"),
    "social-workers": (
        "Sociālie darbinieki",
        "Sotsiaaltöötajad",
        "Social workers",
        "Соціальні працівники",
        "Социальные работники",
    ),
}
TOPICS = [
    ("digitālās prasmes", "digioskused", "digital skills", "цифрові навички", "цифровые навыки"),
    ("valodas apguve", "keeleõpe", "language learning", "вивчення мови", "изучение языка"),
    ("darba meklēšana", "tööotsing", "finding work", "пошук роботи", "поиск работы"),
    ("bērnu lasīšana", "laste lugemine", "children's reading", "дитяче читання", "детское чтение"),
    ("vietējā vēsture", "kohalik ajalugu", "local history", "місцева історія", "местная история"),
    ("juridiskā palīdzība", "õigusabi", "legal help", "юридична допомога", "юридическая помощь"),
    (
        "psiholoģiskā atbalsts",
        "psühholoogiline tugi",
        "mental health",
        "психологічна підтримка",
        "психологическая поддержка",
    ),
    ("kopienas dārzs", "kogukonnaaed", "community garden", "громадський сад", "общественный сад"),
]
PLACES = [
    ("LV", "Europe/Riga", "Valmieras bibliotēka", "Valmiera Library", 57.5385, 25.4263),
    ("LV", "Europe/Riga", "Rīgas Centrālā bibliotēka", "Riga Central Library", 56.9496, 24.1052),
    ("EE", "Europe/Tallinn", "Kärdla linnaraamatukogu", "Kärdla City Library", 58.9977, 22.7496),
    ("EE", "Europe/Tallinn", "Tartu Linnaraamatukogu", "Tartu City Library", 58.3806, 26.7251),
    ("UA", "Europe/Kyiv", "Львівська бібліотека", "Lviv Library", 49.8397, 24.0297),
    ("PL", "Europe/Warsaw", "Biblioteka Publiczna", "Warsaw Public Library", 52.2297, 21.0122),
]
FIRST = ["Olena", "Andrii", "Iryna", "Marta", "Jānis", "Kadri", "Oksana", "Dmytro", "Liene", "Mari"]
LAST = ["Shevchenko", "Bondarenko", "Kovalenko", "Bērziņa", "Tamm", "Melnyk", "Ozoliņš", "Saar"]


@dataclass
class Fixtures:
    """The records every activity points at."""

    notice: Any
    kinds: list[Any]
    groups: list[Any]
    organisations: list[Any]
    projects: list[Any]
    now: dt.datetime
    next_activity: int = 0
    next_person: int = 0
    open_slugs: list[str] = field(default_factory=list)


def make_fixtures() -> Fixtures:
    from kopa.accounts.models import Organisation
    from kopa.core.models import PrivacyNotice
    from kopa.programme.models import ActivityKind, Project, TargetGroup

    notice = PrivacyNotice.objects.create(
        version=1,
        text={code: f"Privacy notice ({code}). We keep your name and email." for code in LANGS},
    )
    kinds = ActivityKind.objects.bulk_create(
        ActivityKind(code=code, name=names, position=i)
        for i, (code, names) in enumerate(KIND_NAMES.items())
    )
    groups = TargetGroup.objects.bulk_create(
        TargetGroup(code=code, name=dict(zip(LANGS, names, strict=True)), position=i)
        for i, (code, names) in enumerate(GROUP_NAMES.items())
    )
    countries = ["LV", "EE", "UA", "LT", "PL", "FI"]
    organisations = Organisation.objects.bulk_create(
        Organisation(
            slug=f"bench-organisation-{i:02d}",
            name={
                "lv": f"Organizācija {i}",
                "en": f"Organisation {i}",
                "uk": f"Організація {i}",
            },
            original_language=RNG.choice(["lv", "et", "uk"]),
            kind=RNG.choice(["library", "municipality", "ngo", "other"]),
            country=countries[i % len(countries)],
            region="Valmiera",
            email=f"org{i}@example.org",
        )
        for i in range(40)
    )
    projects = Project.objects.bulk_create(
        Project(
            slug=f"bench-project-{i}",
            name={code: f"Kopā tālāk {i} ({code})" for code in LANGS},
            funding_programme="Erasmus+",
            start_date=dt.date(2024 + i, 1, 1),
            end_date=dt.date(2026 + i, 12, 31),
            total_cost=60000,
        )
        for i in range(3)
    )
    return Fixtures(notice, kinds, groups, organisations, projects, now=dt.datetime.now(dt.UTC))


def _activity(fx: Fixtures, number: int) -> Any:
    from kopa.programme.models import Activity

    kind = fx.kinds[number % len(fx.kinds)]
    topic = TOPICS[number % len(TOPICS)]
    country, zone, venue_local, venue_en, lat, lon = RNG.choice(PLACES)
    starts = fx.now + dt.timedelta(days=RNG.uniform(-365, 365))
    starts = starts.replace(minute=0, second=0, microsecond=0)
    if starts > fx.now:
        status = RNG.choices(["open", "planned", "cancelled"], weights=[6, 3, 1])[0]
    else:
        status = RNG.choices(["held", "cancelled"], weights=[9, 1])[0]
    kind_names = kind.name.translations
    original = RNG.choice(["lv", "et", "uk", "en"])
    purpose_en = (
        f"Participants practise {topic[2]} together with librarians and volunteers.\n\n"
        "Bring questions; interpreting is arranged in the working languages."
    )
    return Activity(
        project=fx.projects[number % len(fx.projects)],
        kind=kind,
        slug=f"bench-{number:04d}-{kind.code}",
        title={code: f"{kind_names[code]}: {topic[i]} #{number}" for i, code in enumerate(LANGS)},
        theme={code: topic[i].capitalize() for i, code in enumerate(LANGS)} if number % 3 else {},
        purpose={"en": purpose_en, original: f"[{original}] {purpose_en}"},
        original_language=original,
        country=country,
        venue={"lv": venue_local, "en": venue_en},
        address=f"Bibliotēkas iela {number % 40 + 1}",
        latitude=round(lat, 6),
        longitude=round(lon, 6),
        working_languages=sorted(RNG.sample(LANGS, RNG.randint(1, 3))),
        time_zone=zone,
        planned_start=starts.date(),
        planned_end=starts.date(),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=RNG.choice([2, 3, 4, 8])),
        status=status,
        capacity=RNG.choice([20, 25, 30, 40, 60, 80, None]),
        registration_opens_at=starts - dt.timedelta(days=90) if number % 4 == 0 else None,
        registration_closes_at=starts - dt.timedelta(days=1) if number % 5 == 0 else None,
        requires_approval=number % 10 == 7,
        agenda={"en": "10:00 Welcome\n\n10:30 Work in groups\n\n12:00 Lunch"} if number % 2 else {},
        position=number % 5,
    )


def load(fx: Fixtures, activities: int, registrations: int) -> list[Any]:
    """Bulk-load activities with organisers, groups, questions and their registrations."""
    from django.db import transaction

    from kopa.programme.models import Activity, Question, Registration

    batch = [_activity(fx, fx.next_activity + i) for i in range(activities)]
    fx.next_activity += activities
    with transaction.atomic():
        created = Activity.objects.bulk_create(batch, batch_size=500)
        Activity.organisers.through.objects.bulk_create(
            Activity.organisers.through(activity_id=a.pk, organisation_id=o.pk)
            for a in created
            for o in RNG.sample(fx.organisations, RNG.randint(1, 2))
        )
        Activity.target_groups.through.objects.bulk_create(
            Activity.target_groups.through(activity_id=a.pk, targetgroup_id=g.pk)
            for a in created
            for g in RNG.sample(fx.groups, RNG.randint(0, 3))
        )
        questions = []
        for a in created:
            if a.pk % 3 == 0:
                questions.append(
                    Question(
                        activity=a,
                        position=0,
                        kind=Question.Kind.YES_NO,
                        label={"en": "Do you need interpreting?", "lv": "Vai vajag tulku?"},
                    )
                )
                questions.append(
                    Question(
                        activity=a,
                        position=1,
                        kind=Question.Kind.CHOICE,
                        label={"en": "Lunch", "uk": "Обід"},
                        choices={
                            "en": "Regular\nVegetarian\nNone",
                            "uk": "Звичайний\nВегетаріанський\nНемає",
                        },
                    )
                )
        Question.objects.bulk_create(questions)
        Registration.objects.bulk_create(
            _registrations(fx, created, registrations), batch_size=5000
        )
    fx.open_slugs += [
        a.slug for a in created if a.registration_state(fx.now) == "open" and a.capacity
    ]
    return created


def _registrations(fx: Fixtures, activities: list[Any], total: int) -> Iterator[Any]:
    """`total` registrations over the activities that take them, statuses as they would be."""
    from kopa.programme.models import Registration

    Status = Registration.Status
    takers = [a for a in activities if a.status in ("open", "held", "cancelled")]
    counts = Counter(RNG.choices(range(len(takers)), k=total))
    for index, activity in enumerate(takers):
        confirmed = 0
        for _n in range(counts[index]):
            fx.next_person += 1
            person = fx.next_person
            created = activity.starts_at - dt.timedelta(days=RNG.uniform(1, 60))
            created = min(created, fx.now)
            if activity.status == "cancelled" or RNG.random() < 0.08:
                status = Status.CANCELLED
            elif activity.requires_approval:
                status = RNG.choices(
                    [Status.PENDING, Status.CONFIRMED, Status.DECLINED], [3, 5, 1]
                )[0]
            elif activity.capacity is None or confirmed < activity.capacity:
                status = Status.CONFIRMED
            else:
                status = Status.WAITING
            if status == Status.CONFIRMED:
                confirmed += 1
            yield Registration(
                activity=activity,
                status=status,
                name=f"{RNG.choice(FIRST)} {RNG.choice(LAST)}",
                email=f"person{person}@example.org",
                organisation_name=RNG.choice(["", "", "Valmiera Library", "Червоний Хрест"]),
                country=RNG.choice(["UA", "UA", "UA", "LV", "EE", "PL"]),
                participant_group=RNG.choice([None, *fx.groups]),
                languages=sorted(RNG.sample(LANGS, RNG.randint(1, 3))),
                language=RNG.choice(["uk", "uk", "ru", "lv", "et", "en"]),
                consent_notice=fx.notice,
                consented_at=created,
                created=created,
                confirmed_at=created if status == Status.CONFIRMED else None,
                cancelled_at=created + dt.timedelta(days=1) if status == Status.CANCELLED else None,
                attended_at=activity.starts_at
                if activity.status == "held" and status == Status.CONFIRMED and person % 4
                else None,
            )


# --- query counts -------------------------------------------------------------------------------


@dataclass
class PageCost:
    queries: int  # SQL queries when the page is rendered (not served from the page cache)
    miss_ms: float  # in-process time of a rendered page
    hit_ms: float  # in-process time when the page cache may answer (equal when not cached)


def page_cost(path: str, rounds: int = 40) -> PageCost:
    """Queries and in-process times of an anonymous first visit (no cookies), after a warm-up."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"GET {path} answered {response.status_code}")

    def timed_rounds(clear_cache: bool) -> float:
        started = time.perf_counter()
        for _i in range(rounds):
            if clear_cache:
                cache.clear()
            client.cookies.clear()  # a first visit each time, as wrk makes them
            client.get(path)
        return (time.perf_counter() - started) * 1000 / rounds

    cache.clear()
    client.cookies.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    queries = len(captured.captured_queries)  # now: the next request clears the log
    miss = timed_rounds(clear_cache=True)
    client.get(path)
    return PageCost(queries, miss, timed_rounds(clear_cache=False))


# --- the server and wrk -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = SERVER_LOG.open("w")
        self.process = subprocess.Popen(
            [
                str(KOPA),
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(SERVER_WORKERS),
            ],
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn and its workers
        )

    def wait_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"the server exited with {self.process.returncode}; see {SERVER_LOG}"
                )
            try:
                status, _headers, _body = request("GET", self.port, "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"/healthz did not answer 200 within {timeout:.0f} s; see {SERVER_LOG}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()


def request(
    method: str,
    port: int,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


@dataclass
class Busy:
    share: float  # of all CPU time, not idle
    top: list[str]  # the busiest processes over that while, "name 45%" (of one CPU)

    def __str__(self) -> str:
        return f"{self.share:.0%}" + (f" ({', '.join(self.top)})" if self.top else "")


def _process_times() -> dict[int, tuple[str, int, int]]:
    """Every process's name, CPU ticks (user + system) and process group, from /proc."""
    times = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        times[int(entry.name)] = (name, int(fields[11]) + int(fields[12]), int(fields[2]))
    return times


def others_cpu(
    before: dict[int, tuple[str, int, int]],
    after: dict[int, tuple[str, int, int]],
    seconds: float,
    server_group: int,
) -> float:
    """The share of all CPUs that processes other than the bench, its server, wrk and
    PostgreSQL took between two samples (work of other people on the machine)."""
    mine = {os.getpid(), os.getppid()}
    used = 0
    for pid, (name, ticks, group) in after.items():
        if pid in mine or group == server_group or name in ("wrk", "postgres"):
            continue
        if pid in before and before[pid][0] == name:
            used += ticks - before[pid][1]
    return used / (os.sysconf("SC_CLK_TCK") * seconds * (os.cpu_count() or 1))


def cpu_busy(seconds: float = 2.0) -> Busy:
    """How busy the CPUs are over a short while, and with what (other work on the machine)."""

    def total_idle() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = total_idle()
        procs0 = _process_times()
        time.sleep(seconds)
        total1, idle1 = total_idle()
        procs1 = _process_times()
    except OSError:
        return Busy(math.nan, [])
    ticks = os.sysconf("SC_CLK_TCK") * seconds
    used = Counter()
    for pid, (name, t1, _group) in procs1.items():
        if pid in procs0 and procs0[pid][0] == name:
            used[name] += t1 - procs0[pid][1]
    top = [f"{name} {n / ticks:.0%}" for name, n in used.most_common(2) if n / ticks >= 0.1]
    return Busy(1 - (idle1 - idle0) / max(total1 - total0, 1), top)


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("wrk is missing: apt-get install -y wrk")
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            check=False,
            timeout=300,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        return shutil.which("wrk")
    return None


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx/3xx responses and socket errors
    others: float = 0.0  # share of all CPUs other people's processes took meanwhile


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(wrk: str, url: str, duration: int) -> WrkResult:
    result = subprocess.run(
        [
            wrk,
            f"-t{WRK_THREADS}",
            f"-c{WRK_CONNECTIONS}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 30,
    )
    out = result.stdout
    if result.returncode != 0 or "Requests/sec" not in out:
        raise BenchError(f"wrk failed on {url}:\n{out}\n{result.stderr}")
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+?)\s*$", out, re.M))
    if "50" not in percentiles or "99" not in percentiles:
        raise BenchError(f"no latency distribution in wrk's output for {url}:\n{out}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    )
    return WrkResult(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        bad=bad,
    )


# --- the registration burst ---------------------------------------------------------------------

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person:
    """One browser: its own cookies, its CSRF token from loading the form first."""

    def __init__(self, port: int, path: str, number: int):
        self.port, self.path, self.number = port, path, number
        self.cookies: dict[str, str] = {}
        self.token = ""

    def _remember(self, headers: http.client.HTTPMessage) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def open_form(self) -> None:
        status, headers, body = request("GET", self.port, self.path, timeout=30)
        self._remember(headers)
        match = TOKEN.search(body.decode())
        if status != 200 or not match:
            raise BenchError(f"GET {self.path} answered {status} without a registration form")
        self.token = match.group(1)

    def submit(self) -> int:
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.token,
                "name": f"Burst Person {self.number}",
                "email": f"burst{self.number}@example.org",
                "country": "UA",
                "participant_group": "other",
                "languages": ["uk", "en"],
                "consent": "on",
            },
            doseq=True,
        ).encode()
        status, _headers, _body = request(
            "POST",
            self.port,
            self.path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self._cookie_header(),
                "Origin": f"http://127.0.0.1:{self.port}",
                "Referer": f"http://127.0.0.1:{self.port}{self.path}",
            },
            timeout=60,
        )
        return status


@dataclass
class BurstResult:
    people: int
    confirmed: int
    waiting: int
    other: int
    redirected: int
    form_again: int
    errors: int
    error_kinds: Counter
    p50_ms: float
    p99_ms: float
    wall_s: float


def make_burst_activity(fx: Fixtures) -> Any:
    from kopa.programme.models import Activity

    activity = _activity(fx, 9999)
    activity.slug = "bench-burst"
    activity.status = Activity.Status.OPEN
    activity.capacity = BURST_SEATS
    activity.requires_approval = False
    activity.starts_at = fx.now + dt.timedelta(days=14)
    activity.ends_at = activity.starts_at + dt.timedelta(hours=3)
    activity.planned_start = activity.planned_end = activity.starts_at.date()
    activity.registration_opens_at = activity.registration_closes_at = None
    activity.save()
    activity.organisers.set(fx.organisations[:2])
    activity.target_groups.set(fx.groups[:2])
    return activity


def burst(port: int, activity: Any) -> BurstResult:
    from kopa.programme.models import Registration

    path = f"/en/programme/{activity.slug}/register/"
    people = [Person(port, path, n) for n in range(BURST_PEOPLE)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(Person.open_form, people, timeout=120))

    start = threading.Barrier(BURST_PEOPLE + 1, timeout=60)
    statuses: list[int | str] = ["not run"] * BURST_PEOPLE
    latencies: list[float] = [0.0] * BURST_PEOPLE

    def submit(index: int) -> None:
        start.wait()
        began = time.perf_counter()
        try:
            statuses[index] = people[index].submit()
        except Exception as error:  # noqa: BLE001 - counted and reported as an error
            statuses[index] = type(error).__name__
        latencies[index] = (time.perf_counter() - began) * 1000

    threads = [threading.Thread(target=submit, args=(i,), daemon=True) for i in range(BURST_PEOPLE)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0.1))
    wall = time.perf_counter() - began

    counts = Counter(
        Registration.objects.filter(activity=activity).values_list("status", flat=True)
    )
    ok = Counter(s for s in statuses if isinstance(s, int) and 200 <= s < 400)
    error_kinds = Counter(str(s) for s in statuses if not (isinstance(s, int) and 200 <= s < 400))
    return BurstResult(
        people=BURST_PEOPLE,
        confirmed=counts.get(Registration.Status.CONFIRMED, 0),
        waiting=counts.get(Registration.Status.WAITING, 0),
        other=sum(counts.values())
        - counts.get(Registration.Status.CONFIRMED, 0)
        - counts.get(Registration.Status.WAITING, 0),
        redirected=sum(n for s, n in ok.items() if 300 <= s < 400),
        form_again=ok.get(200, 0),
        errors=sum(error_kinds.values()),
        error_kinds=error_kinds,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        wall_s=wall,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(math.ceil(p / 100 * len(ordered)) - 1, 0)
    return ordered[rank]


# --- the report ---------------------------------------------------------------------------------


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    oversold: bool = False

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

        def fmt(row: list[str]) -> str:
            cells = [
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            return "| " + " | ".join(cells) + " |"

        self.add(fmt(header))
        self.add("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for row in rows:
            self.add(fmt(row))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@contextmanager
def timed(label: str, store: dict[str, float]) -> Iterator[None]:
    began = time.perf_counter()
    yield
    store[label] = time.perf_counter() - began
    say(f"{label}: {store[label]:.1f} s")


def machine() -> str:
    import django

    cpus = os.cpu_count()
    return (
        f"{cpus} CPUs, Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"gunicorn sync × {SERVER_WORKERS} workers"
    )


def run() -> int:
    began = time.perf_counter()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    db = bench_database()
    env = site_environment(db.url, secrets.token_urlsafe(48))
    times: dict[str, float] = {}
    server: Server | None = None
    created = False
    try:
        say(f"creating database {db.name}")
        try:
            db.create()
        except Exception as error:
            raise BenchError(f"cannot create the bench database: {error}") from error
        created = True
        with timed("migrate", times):
            kopa(env, "migrate", "--noinput")
        with timed("collectstatic", times):
            kopa(env, "collectstatic", "--noinput", "--verbosity", "0")

        # Django in this process, on the bench database, for loading and counting queries.
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()

        fx = make_fixtures()
        with timed(f"load {SMALL_ACTIVITIES} activities", times):
            small_count = round(REGISTRATIONS * SMALL_ACTIVITIES / ACTIVITIES)
            load(fx, SMALL_ACTIVITIES, small_count)
        if not fx.open_slugs:
            raise BenchError("no open activity among the first ones; change the seed")
        detail_slug = fx.open_slugs[0]
        pages = {
            "programme list": "/en/programme/",
            "activity page": f"/en/programme/{detail_slug}/",
            "registration form": f"/en/programme/{detail_slug}/register/",
        }
        small = {name: page_cost(path) for name, path in pages.items()}
        with timed(f"load {ACTIVITIES - SMALL_ACTIVITIES} more activities", times):
            load(fx, ACTIVITIES - SMALL_ACTIVITIES, REGISTRATIONS - small_count)
        load_seconds = sum(v for k, v in times.items() if k.startswith("load "))
        from kopa.programme.models import Activity, Registration

        n_activities = Activity.objects.count()
        n_registrations = Registration.objects.count()
        say(
            f"loaded {n_activities} activities and {n_registrations} registrations "
            f"in {load_seconds:.1f} s"
        )
        large = {name: page_cost(path) for name, path in pages.items()}
        burst_activity = make_burst_activity(fx)
        from django.db import connections

        connections.close_all()

        say("starting the server")
        server = Server({**env, "KOPA_ALLOWED_HOSTS": "127.0.0.1"})
        server.wait_healthy()
        targets = {"/healthz (baseline)": "/healthz", **pages}
        sizes = {}
        for name, path in targets.items():
            status, _headers, body = request("GET", server.port, path, timeout=30)
            if status != 200:
                raise BenchError(f"GET {path} answered {status} from the server")
            sizes[name] = len(body)
        if b"csrfmiddlewaretoken" not in request("GET", server.port, pages["registration form"])[2]:
            raise BenchError("the activity under test shows no registration form")

        # A shared machine: wait (a minute at most) until other work leaves the CPUs mostly idle.
        quiet_until = time.monotonic() + 60
        busy = cpu_busy()
        while busy.share > 0.25 and time.monotonic() < quiet_until:
            say(f"waiting for a quieter machine: CPUs {busy} busy")
            busy = cpu_busy()
        wrk = ensure_wrk()
        load_results: dict[str, WrkResult] = {}
        if wrk is None:
            say("wrk is not installed (and cannot be installed here): skipping the load test")
        else:
            for name, path in targets.items():
                run_wrk(wrk, server.base + path, 2)  # warm the workers up
                say(f"wrk {path}")
                before, started = _process_times(), time.monotonic()
                result = run_wrk(wrk, server.base + path, WRK_DURATION)
                result.others = others_cpu(
                    before, _process_times(), time.monotonic() - started, server.process.pid
                )
                load_results[name] = result

        say(f"registration burst: {BURST_PEOPLE} people, {BURST_SEATS} seats")
        burst_result = burst(server.port, burst_activity)
        server.stop()
        log = SERVER_LOG.read_text(errors="replace")
        worker_boots = log.count("Booting worker")
        tracebacks = log.count("Traceback")
        server = None

        # --- the report ---
        report = Report()
        today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        report.add(f"Kopā tālāk programme bench, {today}")
        report.add(f"Machine: {machine()}; PostgreSQL on 127.0.0.1.")
        report.add(
            f"Data: {n_activities:,} activities, {n_registrations:,} registrations, "
            f"loaded in {load_seconds:.1f} s (bulk_create; migrate {times['migrate']:.1f} s)."
        )
        report.add()
        report.add(
            "SQL queries per rendered page (anonymous first visit, in-process; equal = no N+1), "
            "and in-process ms rendered / from the page cache:"
        )
        report.table(
            [
                "page",
                f"queries, {SMALL_ACTIVITIES} act.",
                f"queries, {ACTIVITIES:,} act.",
                "ms rendered",
                "ms cached",
            ],
            [
                [
                    name,
                    str(small[name].queries),
                    str(large[name].queries),
                    f"{large[name].miss_ms:.1f}",
                    f"{large[name].hit_ms:.1f}",
                ]
                for name in pages
            ],
        )
        equal = all(small[n].queries == large[n].queries for n in pages)
        report.add("Query counts equal at both sizes: " + ("yes" if equal else "NO (N+1 query)"))
        report.add()
        if load_results:
            report.add(
                f"Throughput: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_DURATION}s, "
                f"gunicorn sync, {SERVER_WORKERS} workers, loopback "
                f"(CPUs busy just before, server idle: {busy}):"
            )
            report.table(
                ["page", "req/s", "p50 ms", "p99 ms", "requests", "bad", "KiB", "others' CPU"],
                [
                    [
                        name,
                        f"{r.rps:,.0f}",
                        f"{r.p50_ms:.1f}",
                        f"{r.p99_ms:.1f}",
                        f"{r.requests:,}",
                        str(r.bad),
                        f"{sizes[name] / 1024:.1f}",
                        f"{r.others:.0%}",
                    ]
                    for name, r in load_results.items()
                ],
            )
            if busy.share > 0.25 or any(r.others > 0.1 for r in load_results.values()):
                report.add(
                    "CAUTION: other work on the machine took CPU before or during wrk "
                    "(others' CPU); those figures understate the site."
                )
            detail_rps = load_results["activity page"].rps
            verdict = "meets" if detail_rps >= TARGET_RPS else "BELOW"
            report.add(
                f"Activity page: {detail_rps:,.0f} req/s, {verdict} the {TARGET_RPS:,} target."
            )
            report.add(
                f"Worker (re)starts during the run: {worker_boots} "
                f"(kopa serve's --max-requests); tracebacks in the log: {tracebacks}."
            )
        else:
            report.add("Throughput: not measured (wrk missing).")
        report.add()
        b = burst_result
        report.add(
            f"Registration burst: {b.people} simultaneous submissions, {BURST_SEATS} seats "
            "(each person with its own cookies and CSRF token):"
        )
        report.table(
            [
                "confirmed",
                "waiting",
                "other",
                "302",
                "form again",
                "errors",
                "p50 ms",
                "p99 ms",
                "wall s",
            ],
            [
                [
                    str(b.confirmed),
                    str(b.waiting),
                    str(b.other),
                    str(b.redirected),
                    str(b.form_again),
                    str(b.errors),
                    f"{b.p50_ms:.0f}",
                    f"{b.p99_ms:.0f}",
                    f"{b.wall_s:.1f}",
                ]
            ],
        )
        if b.error_kinds:
            report.add("Errors: " + ", ".join(f"{k} × {n}" for k, n in b.error_kinds.most_common()))
        if b.confirmed > BURST_SEATS:
            report.oversold = True
            report.add(f"OVERSOLD: {b.confirmed} confirmed for {BURST_SEATS} seats")
        elif b.confirmed < BURST_SEATS:
            report.oversold = True
            report.add(f"NOT FILLED: only {b.confirmed} confirmed for {BURST_SEATS} seats")
        else:
            report.add(f"Seats: exactly {BURST_SEATS} confirmed, not oversold.")
        report.add()
        report.add(f"Whole bench: {time.perf_counter() - began:.0f} s.")

        text = report.text()
        REPORT.write_text(text, encoding="utf-8")
        print()
        print(text, end="")
        say(f"written to {REPORT.relative_to(ROOT)}")
        return 1 if report.oversold else 0
    finally:
        if server is not None:
            say("stopping the server")
            server.stop()
        if created:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            say(f"dropping database {db.name}")
            db.drop()


def _terminate(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)  # runs the `finally` that stops the server and drops the DB


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    try:
        sys.exit(run())
    except BenchError as error:
        print(f"[bench] cannot run: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
