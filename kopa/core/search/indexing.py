"""Writes to the search index: documents, categories and the vocabulary (`index_*`, `remove_*`).

Two ways to analyse a document:

- **full** (`lemmatize=True`): simplemma lemmatizes every word in the document's language
  (detected when not given), splits compounds, tags vocabulary concepts, and adds every inflected
  form of every lemma to the lexicon (`SearchForm`). Costs ~500 MB of dictionaries in the
  process, so it runs in `kopa search_index` (a timer or a worker), the importer, or tests.
- **light** (`lemmatize=False`, the default in web workers): the words are looked up in the
  lexicon the full analysis built, exactly as a query is. The document is searchable at once
  and stays marked `light` until `kopa search_index` analyses it fully.

`KOPA_SEARCH_LEMMATIZE` (default false) makes `lemmatize=None` mean full analysis in this process.
Re-indexing is idempotent: a document whose texts, terms, categories and vocabulary are unchanged
is left alone (its fingerprint says so).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kopa.core.search import embeddings
from kopa.core.search.analysis import (
    PhraseSet,
    Token,
    generic_words,
    is_place,
    stop_words,
)
from kopa.core.search.models import (
    SearchCategory,
    SearchDocument,
    SearchForm,
    SearchMeta,
    SearchPhrase,
    SearchPosting,
)
from kopa.core.search.text import MAX_TERM_CHARS, fold, tokens
from kopa.core.search.vocabulary import DATA, LANGUAGES, load

logger = logging.getLogger(__name__)

ANALYSIS_VERSION = "2"
# How much a word counts by the field it is in; fields not named here count 1.
FIELD_WEIGHTS = {
    "title": 3.0,
    "name": 3.0,
    "summary": 1.5,
    "description": 1.0,
    "body": 1.0,
    "organization": 0.5,
    "location": 1.0,
    "address": 1.0,
    "place": 1.0,
    "languages": 0.5,
    "schedule": 0.3,
    "extra": 1.0,
}
# A place named in these fields is where the thing is; elsewhere it is only mentioned.
LOCATION_FIELDS = {"location", "address", "place", "city"}
MENTIONED_PLACE = 0.2
COMPOUND_PART = 0.6
GENERIC = 0.3
BROADER = 0.7  # a family doctor is a doctor, a little less
CONJUNCTIONS = {"un", "ja", "and", "і", "и", "та", "й", "&"}


class SearchInputError(ValueError):
    """A document to index is malformed (no key, no kind, texts that are not text)."""


# ------------------------------------------------------------------------------ fingerprints
def _hash(value: object) -> str:
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def vocabulary_fingerprint() -> str:
    """Changes when the vocabulary, the category labels or the analysis change."""
    labels = dict(SearchCategory.objects.values_list("code", "labels"))
    return _hash([ANALYSIS_VERSION, DATA, labels])


def _meta_get(name: str) -> str | None:
    return SearchMeta.objects.filter(name=name).values_list("value", flat=True).first()


def _meta_set(name: str, value: str) -> None:
    SearchMeta.objects.update_or_create(name=name, defaults={"value": value})


def generation() -> str:
    """Changes on every write to the index; processes holding vectors reload on a change."""
    return _meta_get("generation") or ""


def _bump_generation() -> None:
    _meta_set("generation", uuid.uuid4().hex)


# ------------------------------------------------------------------------------ analysers
@dataclass
class FullAnalyzer:
    """simplemma-based analysis for the indexing process (see module docstring)."""

    phrases: PhraseSet
    fingerprint: str

    def __post_init__(self) -> None:
        from kopa.core.search.lemmas import get_lemmatizer  # noqa: PLC0415 - heavy

        self.lemmatizer = get_lemmatizer()
        self.pending_forms: set[tuple[str, str, str]] = set()
        self.expanded: set[tuple[str, str]] = set()  # lemmas whose forms are queued or written

    def detect(self, text: str) -> str | None:
        return self.lemmatizer.detect(text)

    def tokens(self, text: str, language: str | None) -> list[Token]:
        result: list[Token] = []
        stop, generic = stop_words(), generic_words()
        for word in tokens(text):
            surface = fold(word)[:MAX_TERM_CHARS]
            if surface in stop or not surface:
                continue
            lemmas = self.lemmatizer.lemmas(word, language)
            parts = self.lemmatizer.compound(word, language)
            for code, lemma in self._languages_of(word, lemmas, language):
                self._remember(surface, lemma, code)
            for part in parts:
                self._remember(part, part, language or "")
            result.append(
                Token(
                    position=len(result),
                    surface=surface,
                    lemmas=tuple(lemma[:MAX_TERM_CHARS] for lemma in lemmas),
                    parts=tuple(p for p in parts if p not in lemmas),
                    generic=surface in generic or any(lemma in generic for lemma in lemmas),
                )
            )
        return result

    def _languages_of(
        self, word: str, lemmas: tuple[str, ...], language: str | None
    ) -> list[tuple[str, str]]:
        from kopa.core.search.lemmas import CYRILLIC, LATIN  # noqa: PLC0415

        script = CYRILLIC if any("\u0400" <= c <= "\u04ff" for c in word) else LATIN
        pairs = []
        for lemma in lemmas:
            for code in script:
                if code == language or self.lemmatizer.known(word, code):
                    pairs.append((code, lemma))
                    break
            else:
                pairs.append((language or script[0], lemma))
        return pairs

    def _remember(self, form: str, lemma: str, language: str) -> None:
        """Queue the form and every inflected form of the lemma for the lexicon."""
        if (lemma, language) not in self.expanded and language in LANGUAGES:
            self.expanded.add((lemma, language))
            for other in self.lemmatizer.forms(lemma, language):
                self.pending_forms.add((other[:MAX_TERM_CHARS], lemma, language))
            self.pending_forms.add((lemma, lemma, language))
        self.pending_forms.add((form, lemma, language))

    def flush_forms(self) -> int:
        """Write the queued forms to the lexicon (idempotent: existing rows are skipped)."""
        rows = [
            SearchForm(form=form, lemma=lemma, language=language, prefix=form[:3])
            for form, lemma, language in self.pending_forms
            if form and lemma
        ]
        self.pending_forms.clear()
        SearchForm.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        return len(rows)


class LightAnalyzer:
    """Analysis with the lexicon in the database only: for web workers and for queries."""

    def detect(self, text: str) -> str | None:
        return None

    def tokens(self, text: str, language: str | None) -> list[Token]:
        stop, generic = stop_words(), generic_words()
        surfaces = [fold(w)[:MAX_TERM_CHARS] for w in tokens(text)]
        surfaces = [s for s in surfaces if s and s not in stop]
        lemmas: dict[str, set[str]] = defaultdict(set)
        for form, lemma in SearchForm.objects.filter(form__in=set(surfaces)).values_list(
            "form", "lemma"
        ):
            lemmas[form].add(lemma)
        return [
            Token(
                position=i,
                surface=s,
                lemmas=tuple(sorted(lemmas.get(s, ()))),
                generic=s in generic or bool(lemmas.get(s, set()) & generic),
            )
            for i, s in enumerate(surfaces)
        ]


# ------------------------------------------------------------------------------ vocabulary
def _label_phrases(label: str) -> list[str]:
    """`Kultūra, brīvais laiks un bibliotēkas` → [kultūra, brīvais laiks, bibliotēkas]."""
    phrases: list[list[str]] = []
    for part in label.split(","):
        phrases.append([])
        for word in tokens(part):
            if fold(word) in CONJUNCTIONS:
                phrases.append([])
            else:
                phrases[-1].append(word)
    return [" ".join(p) for p in phrases if p]


def _phrase_entries() -> list[tuple[str, str, str]]:
    """(concept, language, phrase as written) for the vocabulary and the category labels."""
    entries: list[tuple[str, str, str]] = []
    for concept in load().concepts.values():
        for language, phrases in concept.phrases.items():
            entries.extend((concept.id, language, phrase) for phrase in phrases)
    for code, labels in SearchCategory.objects.values_list("code", "labels"):
        for language, label in (labels or {}).items():
            entries.extend(
                (f"category:{code}", language, phrase) for phrase in _label_phrases(str(label))
            )
    return entries


def _compile(analyzer: FullAnalyzer, language: str, phrase: str) -> tuple[frozenset[str], ...]:
    """A phrase as word spellings: the folded word, its lemmas, or a prefix `stem*`."""
    stop, generic = stop_words(), generic_words()
    several = len(phrase.split()) > 1
    words: list[frozenset[str]] = []
    for raw in phrase.split():
        if raw.endswith("*"):
            words.append(frozenset({fold(raw[:-1]) + "*"}))
            continue
        for word in tokens(raw):
            surface = fold(word)
            if language == "*":  # a place name: lemmatize in the languages of its script
                lemmas = analyzer.lemmatizer.lemmas(word, None)
                pairs = analyzer._languages_of(word, lemmas, None)
            else:
                lemmas = analyzer.lemmatizer.lemmas(word, language)[:1]
                pairs = [(language, lemma) for lemma in lemmas]
            spellings = {surface, *lemmas}
            if surface in stop or (several and spellings & generic):
                continue
            for code, lemma in pairs:
                analyzer._remember(surface, lemma, code)
            words.append(frozenset(spellings))
    return tuple(words)


@dataclass
class _Compiled:
    phrases: PhraseSet
    rows: list[tuple[str, str, str, str]]  # SearchPhrase (concept, language, first, words)
    forms: set[tuple[str, str, str]]  # SearchForm (form, lemma, language)


_compiled: dict[str, _Compiled] = {}


def _compile_vocabulary(fingerprint: str) -> _Compiled:
    analyzer = FullAnalyzer(phrases=PhraseSet(), fingerprint=fingerprint)
    rows: list[tuple[str, str, str, str]] = []
    for concept, language, phrase in _phrase_entries():
        words = _compile(analyzer, language, phrase)
        if not words:
            continue
        analyzer.phrases.add(concept, words)
        serialized = " ".join("|".join(sorted(w)) for w in words)[:400]
        rows.extend((concept, language, first, serialized) for first in words[0])
    return _Compiled(phrases=analyzer.phrases, rows=rows, forms=set(analyzer.pending_forms))


def full_analyzer() -> FullAnalyzer:
    """The full analyser with the vocabulary compiled (once per process and vocabulary); writes
    the vocabulary's phrases and forms to the database when the database has another one."""
    fingerprint = vocabulary_fingerprint()
    if fingerprint not in _compiled:
        _compiled.clear()
        _compiled[fingerprint] = _compile_vocabulary(fingerprint)
    compiled = _compiled[fingerprint]
    if _meta_get("vocabulary") != fingerprint:
        with transaction.atomic():
            SearchPhrase.objects.all().delete()
            SearchPhrase.objects.bulk_create(
                [
                    SearchPhrase(concept=c, language=lang, first=first, words=words)
                    for c, lang, first, words in compiled.rows
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
            SearchForm.objects.bulk_create(
                [
                    SearchForm(form=f, lemma=lemma, language=lang, prefix=f[:3])
                    for f, lemma, lang in compiled.forms
                ],
                batch_size=2000,
                ignore_conflicts=True,
            )
            _meta_set("vocabulary", fingerprint)
    return FullAnalyzer(phrases=compiled.phrases, fingerprint=fingerprint)


def phrases_from_db(keys: Iterable[str]) -> PhraseSet:
    """The vocabulary phrases that can start with any of these spellings (query side)."""
    candidates: set[str] = set()
    for key in keys:
        candidates.add(key)
        candidates.update(key[:end] + "*" for end in range(3, len(key) + 1))
    phrases = PhraseSet()
    seen: set[tuple[str, str]] = set()
    for concept, words in SearchPhrase.objects.filter(first__in=candidates).values_list(
        "concept", "words"
    ):
        if (concept, words) in seen:
            continue
        seen.add((concept, words))
        phrases.add(concept, tuple(frozenset(w.split("|")) for w in words.split(" ")))
    return phrases


# ------------------------------------------------------------------------------ postings
def postings_for(
    fields: Mapping[str, list[Token]],
    phrases: PhraseSet,
    *,
    weights: Mapping[str, float],
    categories: Iterable[str],
) -> dict[str, float]:
    vocabulary = load()
    terms: dict[str, float] = defaultdict(float)
    for name, field_tokens in fields.items():
        weight = weights.get(name, FIELD_WEIGHTS.get(name, 1.0))
        for token in field_tokens:
            w = weight * (GENERIC if token.generic else 1.0)
            for key in dict.fromkeys((token.surface, *token.lemmas)):
                terms[f"w:{key}"] += w
            for part in token.parts:
                terms[f"w:{part}"] += w * COMPOUND_PART
        for match in phrases.match(field_tokens):
            if is_place(match.concept):
                place_weight = weight if name in LOCATION_FIELDS else weight * MENTIONED_PLACE
                for concept in (match.concept, *vocabulary.ancestors(match.concept)):
                    terms[f"c:{concept}"] += place_weight
            else:
                terms[f"c:{match.concept}"] += weight
                for concept in vocabulary.ancestors(match.concept):
                    terms[f"c:{concept}"] += weight * BROADER
    for code in categories:
        terms[f"k:{code}"] += 1.0
    return dict(terms)


def _passage(texts: Mapping[str, str]) -> str:
    order = ["title", "name", "summary", "description", "body", "organization", "location"]
    names = sorted(texts, key=lambda n: order.index(n) if n in order else len(order))
    return "\n".join(texts[n] for n in names if texts[n])


# ------------------------------------------------------------------------------ public API
def index_document(
    *,
    key: str,
    kind: str,
    texts: Mapping[str, str],
    language: str | None = None,
    extra_terms: Iterable[str] = (),
    categories: Iterable[str] = (),
    weights: Mapping[str, float] | None = None,
    lemmatize: bool | None = None,
) -> SearchDocument:
    """Add or replace one document in the index; returns it. Idempotent.

    `key` is unique across domains (`circle.service:<uuid>`); `kind` groups documents for
    `search(kinds=…)`; `texts` maps field names (`name`, `description`, `location`, …, see
    FIELD_WEIGHTS) to text; `language` is the texts' language when known; `extra_terms` are more
    words to find it by; `categories` are taxonomy codes for the category boost.
    """
    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise SearchInputError("key: a non-empty string of at most 200 characters")
    if not isinstance(kind, str) or not kind.strip() or len(kind) > 50:
        raise SearchInputError("kind: a non-empty string of at most 50 characters")
    clean_texts = {str(n): str(t) for n, t in texts.items() if t is not None and str(t).strip()}
    extra = [str(t) for t in extra_terms if str(t).strip()]
    codes = sorted({str(c) for c in categories if str(c).strip()})
    field_weights = {str(n): float(w) for n, w in (weights or {}).items()}
    if lemmatize is None:
        lemmatize = bool(getattr(settings, "KOPA_SEARCH_LEMMATIZE", False))
    analyzer: FullAnalyzer | LightAnalyzer = full_analyzer() if lemmatize else LightAnalyzer()
    fingerprint = _hash([clean_texts, extra, codes, field_weights])

    existing = SearchDocument.objects.filter(key=key).first()
    unchanged = (
        existing is not None and existing.fingerprint == fingerprint and existing.kind == kind
    )
    if unchanged and (
        not lemmatize
        or (
            existing.analysis == SearchDocument.FULL
            and existing.vocabulary == getattr(analyzer, "fingerprint", "")
        )
    ):
        return existing  # nothing changed

    document = existing or SearchDocument(key=key)
    texts_changed = existing is None or existing.texts != clean_texts
    # A vector costs ~0.1 s of CPU (1 s on a busy 2-core machine): the full analysis embeds, off
    # the web workers and the importer; a light one drops a stale vector for it to redo.
    embed = lemmatize and (texts_changed or existing is None or existing.vector is None)
    if not lemmatize and texts_changed:
        document.vector = None
    document.kind = kind
    document.texts = clean_texts
    document.extra_terms = extra
    document.categories = codes
    document.weights = field_weights
    document.fingerprint = fingerprint
    return _analyse(document, analyzer, language=language, embed=embed)


def _analyse(
    document: SearchDocument,
    analyzer: FullAnalyzer | LightAnalyzer,
    *,
    language: str | None,
    embed: bool = True,
) -> SearchDocument:
    texts = document.texts
    detected = language or analyzer.detect(" ".join(texts.values()))
    fields = {name: analyzer.tokens(text, detected) for name, text in texts.items()}
    if document.extra_terms:
        fields["extra"] = analyzer.tokens(" ".join(document.extra_terms), detected)
    if isinstance(analyzer, FullAnalyzer):
        phrases = analyzer.phrases
    else:
        phrases = phrases_from_db({k for toks in fields.values() for t in toks for k in t.keys})
    terms = postings_for(
        fields, phrases, weights=document.weights or {}, categories=document.categories
    )
    vector = embeddings.passage_vector(_passage(texts)) if embed else None

    with transaction.atomic():
        if isinstance(analyzer, FullAnalyzer):
            analyzer.flush_forms()
        document.language = detected or ""
        if isinstance(analyzer, FullAnalyzer):
            document.analysis = SearchDocument.FULL
            document.vocabulary = analyzer.fingerprint
        else:
            document.analysis = SearchDocument.LIGHT
            document.vocabulary = ""
        if embed:
            document.vector = vector
        document.updated = timezone.now()
        document.save()
        SearchPosting.objects.filter(document=document).delete()
        SearchPosting.objects.bulk_create(
            [
                SearchPosting(document=document, term=term[: MAX_TERM_CHARS + 8], weight=weight)
                for term, weight in terms.items()
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        _bump_generation()
    return document


def remove_document(*, key: str) -> bool:
    """Remove a document from the index; True when there was one."""
    with transaction.atomic():
        deleted, _rows = SearchDocument.objects.filter(key=key).delete()
        if deleted:
            _bump_generation()
    return bool(deleted)


def index_categories(*, labels: Mapping[str, Mapping[str, str]]) -> None:
    """Set the category labels (code → {language: label}) the category boost recognises.

    Codes not given are removed. The vocabulary is compiled again on the next full analysis.
    """
    with transaction.atomic():
        SearchCategory.objects.exclude(code__in=list(labels)).delete()
        for code, names in labels.items():
            clean = {str(lang): str(label) for lang, label in names.items() if label}
            SearchCategory.objects.update_or_create(code=str(code), defaults={"labels": clean})
        _bump_generation()


def reindex(*, everything: bool = False, keys: Iterable[str] | None = None) -> int:
    """Analyse fully the documents that need it: light ones, or analysed with an older
    vocabulary; `everything` analyses (and embeds) every one again. Returns how many."""
    analyzer = full_analyzer()
    queryset = SearchDocument.objects.all().order_by("id")
    if keys is not None:
        queryset = queryset.filter(key__in=list(keys))
    if not everything:
        queryset = queryset.exclude(analysis=SearchDocument.FULL, vocabulary=analyzer.fingerprint)
    count = 0
    for document in queryset.iterator(chunk_size=200):
        _analyse(
            document,
            analyzer,
            language=document.language or None,
            embed=everything or document.vector is None,
        )
        count += 1
    return count
