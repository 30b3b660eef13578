"""What indexing and querying share: tokens with their lemmas, and finding concepts in them.

A `Token` is one word: its folded surface form, its folded lemmas and, for a compound, the lemmas
of its parts. A `PhraseSet` holds the vocabulary's phrases (each a list of words, each word a set
of spellings, a spelling ending in `*` being a prefix) and finds them in a list of tokens: in a
document within a window of a few words, in a query anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from kopa.core.search.text import fold
from kopa.core.search.vocabulary import load

PHRASE_WINDOW = 4  # the words of a phrase must be this close in a document
MIN_PREFIX = 3


@dataclass(frozen=True)
class Token:
    position: int
    surface: str
    lemmas: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # lemmas of a compound's parts
    generic: bool = False
    # spellings found by transliteration or a forgiven typo, with their confidence
    guesses: tuple[tuple[str, float], ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.surface, *self.lemmas, *self.parts)))

    def all_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.keys, *(key for key, _w in self.guesses))))


@dataclass(frozen=True)
class ConceptMatch:
    concept: str
    start: int
    end: int
    words: int  # how many words the phrase has (longer phrases win over their parts)


@dataclass
class PhraseSet:
    """Phrases by their first word's spellings (exact, and prefixes by their stem)."""

    exact: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    prefix: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, concept: str, words: tuple[frozenset[str], ...]) -> None:
        for spelling in words[0]:
            if spelling.endswith("*"):
                self.prefix[spelling[:-1]].append((concept, words))
            else:
                self.exact[spelling].append((concept, words))

    def _starting_with(self, key: str) -> Iterable[tuple[str, tuple[frozenset[str], ...]]]:
        yield from self.exact.get(key, ())
        for end in range(MIN_PREFIX, len(key) + 1):
            yield from self.prefix.get(key[:end], ())

    def match(self, tokens: list[Token], window: int | None = PHRASE_WINDOW) -> list[ConceptMatch]:
        """Concepts whose phrases occur in the tokens; one match per concept and start."""
        found: dict[tuple[str, int], ConceptMatch] = {}
        for index, token in enumerate(tokens):
            for key in token.all_keys():
                for concept, words in self._starting_with(key):
                    span = _find_rest(tokens, index, words[1:], window)
                    if span is None:
                        continue
                    positions = [index, *span]
                    start = min(positions)
                    match = ConceptMatch(concept, start, max(positions), len(words))
                    previous = found.get((concept, start))
                    if previous is None or previous.words < match.words:
                        found[(concept, start)] = match
        return list(found.values())


def _word_matches(spellings: frozenset[str], token: Token) -> bool:
    for key in token.all_keys():
        if key in spellings:
            return True
        for spelling in spellings:
            if spelling.endswith("*") and key.startswith(spelling[:-1]):
                return True
    return False


def _find_rest(
    tokens: list[Token], index: int, rest: tuple[frozenset[str], ...], window: int | None
) -> list[int] | None:
    positions: list[int] = []
    for spellings in rest:
        lo = 0 if window is None else max(0, index - window)
        hi = len(tokens) if window is None else min(len(tokens), index + window + 1)
        hit = next(
            (
                i
                for i in range(lo, hi)
                if i != index and i not in positions and _word_matches(spellings, tokens[i])
            ),
            None,
        )
        if hit is None:
            return None
        positions.append(hit)
    return positions


@cache
def stop_words() -> frozenset[str]:
    """Query words with no meaning, all languages together (folded)."""
    words: set[str] = set()
    for values in load().stop.values():
        words.update(fold(word) for word in values)
    return frozenset(words)


@cache
def generic_words() -> frozenset[str]:
    words: set[str] = set()
    for values in load().generic.values():
        words.update(fold(word) for word in values)
    return frozenset(words)


def category_of(concept: str) -> str | None:
    """The taxonomy category a concept points at (`category:legal-aid` or the vocabulary's)."""
    if concept.startswith("category:"):
        return concept.removeprefix("category:")
    entry = load().concepts.get(concept)
    return entry.category if entry else None


def is_place(concept: str) -> bool:
    entry = load().concepts.get(concept)
    return bool(entry and entry.place)
