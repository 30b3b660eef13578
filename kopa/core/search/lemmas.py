"""Index-time lemmatization with simplemma: the heavy part, kept out of web workers.

simplemma's dictionaries cost about 500 MB of memory for lv, et, uk, ru and en together (they load
lazily, per language). Only the indexing side imports this module: `kopa search_index`, a worker,
or a process that indexes with `lemmatize=True`. It does three things:

1. `lemmas(word, language)`: the lemmas of a word, in the document's language and in any other
   language of the same script that knows the word;
2. `forms(lemma, language)`: every inflected form the dictionary has for a lemma (the dictionary
   turned around), which goes into the `SearchForm` lexicon so queries need no dictionary;
3. `compound(word, language)`: a long unknown word split into two known ones
   (`lähisuhtevägivalla` → lähisuhe + vägivald, `intensiivkursus` → intensiiv + kursus).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import cache

from kopa.core.search.text import fold, fold_fast, is_cyrillic

logger = logging.getLogger(__name__)

LATIN = ("lv", "et", "en")
CYRILLIC = ("uk", "ru")
LANGUAGES = LATIN + CYRILLIC


class Lemmatizer:
    """One per process (see `get_lemmatizer`); dictionaries load on first use of a language."""

    def __init__(self) -> None:
        import simplemma  # noqa: PLC0415 - heavy, imported only where indexing happens
        from simplemma.strategies.dictionaries.dictionary_factory import (  # noqa: PLC0415
            _load_dictionary_from_disk,
        )

        self._simplemma = simplemma
        self._load = _load_dictionary_from_disk
        self._dictionaries: dict[str, dict[bytes, bytes]] = {}
        self._inverted: dict[str, dict[bytes, list[bytes]]] = {}
        self._by_fold: dict[str, dict[str, list[bytes]]] = {}
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}

    # -- dictionaries ---------------------------------------------------------------------------
    def _dictionary(self, language: str) -> dict[bytes, bytes]:
        if language not in self._dictionaries:
            self._dictionaries[language] = self._load(language)
        return self._dictionaries[language]

    def _inverse(self, language: str) -> tuple[dict[bytes, list[bytes]], dict[str, list[bytes]]]:
        if language not in self._inverted:
            inverted: dict[bytes, list[bytes]] = defaultdict(list)
            for form, lemma in self._dictionary(language).items():
                inverted[lemma].append(form)
            by_fold: dict[str, list[bytes]] = defaultdict(list)
            for lemma in inverted:
                by_fold[fold_fast(lemma.decode())].append(lemma)
            self._inverted[language] = dict(inverted)
            self._by_fold[language] = dict(by_fold)
        return self._inverted[language], self._by_fold[language]

    def known(self, word: str, language: str) -> bool:
        dictionary = self._dictionary(language)
        return word.encode() in dictionary or word.lower().encode() in dictionary

    # -- the three operations ---------------------------------------------------------------------
    def detect(self, text: str) -> str | None:
        """The most likely of the five languages for a text, or None when nothing is known."""
        sample = text[:2000]
        candidates = CYRILLIC if is_cyrillic(sample) else LATIN
        scores = self._simplemma.langdetect(sample, lang=candidates)
        best, score = scores[0]
        return best if best != "unk" and score > 0 else None

    def lemmas(self, word: str, language: str | None) -> tuple[str, ...]:
        """Folded lemmas of a word: the document language's first, then other languages'."""
        key = (word, language or "")
        if key in self._cache:
            return self._cache[key]
        script = CYRILLIC if is_cyrillic(word) else LATIN
        order = [language] if language in script else []
        order += [code for code in script if code != language]
        found: list[str] = []
        for code in order:
            primary = code == order[0]
            if not primary and not self.known(word, code):
                continue
            lemma = self._simplemma.lemmatize(word, lang=code)
            if lemma:
                found.append(fold(lemma))
        result = tuple(dict.fromkeys(found))
        if len(self._cache) < 500_000:
            self._cache[key] = result
        return result

    def forms(self, lemma: str, language: str) -> set[str]:
        """Every folded form that the language's dictionary maps to this folded lemma."""
        inverted, by_fold = self._inverse(language)
        forms: set[str] = set()
        for raw_lemma in by_fold.get(lemma, ()):
            forms.add(fold_fast(raw_lemma.decode()))
            forms.update(fold_fast(form.decode()) for form in inverted[raw_lemma])
        return forms

    def compound(self, word: str, language: str | None) -> tuple[str, ...]:
        """Folded lemmas of the two parts of a long compound, or () when it is not one."""
        if len(word) < 9 or language not in {"lv", "et"} or self.known(word, language):
            return ()
        lower = word.lower()
        for cut in range(3, len(lower) - 4):  # the longest known tail wins
            head, tail = lower[:cut], lower[cut:]
            if self.known(tail, language):
                tail_lemma = fold(self._simplemma.lemmatize(tail, lang=language))
                head_lemma = (
                    fold(self._simplemma.lemmatize(head, lang=language))
                    if self.known(head, language)
                    else fold(head)
                )
                return tuple(dict.fromkeys([head_lemma, tail_lemma]))
        return ()


@cache
def get_lemmatizer() -> Lemmatizer:
    logger.info("search: loading the lemmatizer (simplemma) in this process")
    return Lemmatizer()
