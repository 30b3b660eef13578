"""Which of the platform's languages a text is written in: a small heuristic, no dependencies.

HSDS does not say which language a text is in, and the directory's feeds carry Latvian, Estonian
and English text (and the platform's users write Ukrainian and Russian). The letters that only
one of these alphabets uses decide most texts: Latvian ā ē ī ū ģ ķ ļ ņ č, Estonian õ ä ö ü,
Ukrainian і ї є ґ, Russian ы э ъ ё. Short function words that only one language uses decide
the rest (English has no letters of its own, and a Cyrillic text may lack the telling letters).

`detect_language()` answers None when the text gives no signal or two languages tie (a place
name such as "Valmiera", a phone number): the caller then uses the language of the record the
text belongs to.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Letters that decide, and how much one occurrence counts. Š and ž are Latvian letters that
# Estonian also uses in loanwords, so they count for less.
LETTERS: dict[str, dict[str, int]] = {
    "lv": {**dict.fromkeys("āēīūģķļņč", 3), **dict.fromkeys("šž", 1)},
    "et": dict.fromkeys("õäöü", 3),
    "uk": dict.fromkeys("іїєґ", 3),
    "ru": dict.fromkeys("ыэъё", 3),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent words that one language uses and the others of its script do not.
WORDS: dict[str, frozenset[str]] = {
    "lv": _words(
        "un ir ar par uz vai lai pie arī bez līdz kur kā tiek var jūs mēs viņi "
        "katru dienā darbdienās bezmaksas palīdzība"
    ),
    "et": _words(
        "ja on ning või kui see ei ole kell abi tasuta keel oma mis kõik saab "
        "igal tööpäeviti nõustamine"
    ),
    "en": _words(
        "the and of to for is with in a an are you your by at from this that free help every"
    ),
    "uk": _words("і та що це або ви від як якщо щодня безкоштовно допомога"),
    "ru": _words("и что это или вы от как если ежедневно бесплатно помощь"),
}

LATIN = ("lv", "et", "en")
CYRILLIC = ("uk", "ru")
WORD_WEIGHT = 2

_WORD = re.compile(r"[^\W\d_]+")


def _is_cyrillic(char: str) -> bool:
    return "CYRILLIC" in unicodedata.name(char, "")


def detect_language(text: str) -> str | None:
    """'lv', 'et', 'en', 'uk' or 'ru', or None when the text does not tell."""
    lowered = unicodedata.normalize("NFC", text or "").lower()
    letters = [char for char in lowered if char.isalpha()]
    if not letters:
        return None
    cyrillic = sum(1 for char in letters if _is_cyrillic(char))
    candidates = CYRILLIC if cyrillic * 2 > len(letters) else LATIN
    scores: Counter[str] = Counter()
    for char in letters:
        for code in candidates:
            scores[code] += LETTERS.get(code, {}).get(char, 0)
    for word in _WORD.findall(lowered):
        for code in candidates:
            if word in WORDS[code]:
                scores[code] += WORD_WEIGHT
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] == 0:
        return None
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]
