"""Text handling shared by indexing and querying: pure Python, no dictionaries, cheap to import.

- `fold` lower-cases and removes Latin diacritics (ā→a, õ→o, š→s), so `krizes dzivoklis` meets
  `krīzes dzīvoklis`; Cyrillic keeps its letters except ё→е, ґ→г and the apostrophe.
- `tokens` splits text into words (letters and digits; hyphens split: `ID-kaart` → id, kaart).
- `to_latin` and `to_cyrillic` transliterate, with a few variants each, so `Кярдла` meets
  `Kärdla` and `perevodchik` meets `переводчик`.
- `edit_distance` (Damerau–Levenshtein, bounded) forgives a typo.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import product

MAX_QUERY_CHARS = 200  # longer queries are cut here (documented in docs/search.md)
MAX_QUERY_TOKENS = 16
MAX_TERM_CHARS = 60  # the column size of forms and terms; longer "words" are cut

_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0xC0, 0x250):  # Latin-1 Supplement, Extended-A and -B: drop the marks
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if base != char and base.isascii():
            table[code] = base
    table.update({ord("ß"): "ss", ord("ø"): "o", ord("đ"): "d", ord("ł"): "l", ord("æ"): "ae"})
    table.update({ord("ё"): "е", ord("ґ"): "г", ord("'"): None, ord("’"): None, ord("ʼ"): None})
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """The comparison form of a word or text: lower case, no Latin diacritics, no apostrophes."""
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


def fold_fast(text: str) -> str:
    """`fold` for text already in NFC (dictionary entries): skips the normalisation."""
    return text.lower().translate(_FOLD)


def tokens(text: str) -> list[str]:
    """The words of a text as written (not folded), in order."""
    return _WORD.findall(unicodedata.normalize("NFKC", text))


def is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


def clean_query(query: str) -> str:
    """A query as plain text, cut to MAX_QUERY_CHARS; control characters become spaces."""
    query = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(query))
    return query[:MAX_QUERY_CHARS].strip()


# Cyrillic → Latin the way Latvian and Estonian write foreign names (Цесіс → cesis, Кярдла →
# kjardla/kardla, Валмиєра → valmijera/valmiera); the second value of a pair is a variant.
_TO_LATIN: dict[str, tuple[str, ...]] = {
    "а": ("a",), "б": ("b",), "в": ("v",), "г": ("g", "h"), "д": ("d",), "е": ("e",),
    "є": ("je", "e"), "ж": ("z",), "з": ("z",), "и": ("i", "y"), "і": ("i",), "ї": ("ji", "i"),
    "й": ("j",), "к": ("k",), "л": ("l",), "м": ("m",), "н": ("n",), "о": ("o",), "п": ("p",),
    "р": ("r",), "с": ("s",), "т": ("t",), "у": ("u",), "ф": ("f",), "х": ("h",), "ц": ("c",),
    "ч": ("c",), "ш": ("s",), "щ": ("sc",), "ъ": ("",), "ы": ("i", "y"), "ь": ("",),
    "э": ("e",), "ю": ("ju", "u"), "я": ("ja", "a"),
}  # fmt: skip

# Latin → Cyrillic for Russian and Ukrainian typed in Latin letters (perevodchik, dopomoha).
# Longest match first; a tuple gives the variants to try.
_TO_CYRILLIC: list[tuple[str, tuple[str, ...]]] = [
    ("shch", ("щ",)), ("sch", ("щ",)), ("zh", ("ж",)), ("kh", ("х",)), ("ch", ("ч",)),
    ("sh", ("ш",)), ("ts", ("ц",)), ("tz", ("ц",)), ("ya", ("я",)), ("ja", ("я",)),
    ("ia", ("я", "иа")), ("yu", ("ю",)), ("ju", ("ю",)), ("iu", ("ю",)), ("yo", ("е",)),
    ("jo", ("е",)), ("ye", ("е", "є")), ("je", ("е", "є")), ("yi", ("ї", "ый")),
    ("iy", ("ий", "ій")), ("yy", ("ый", "ий")), ("ij", ("ий", "ій")), ("y", ("ы", "й", "и")),
    ("a", ("а",)), ("b", ("б",)), ("v", ("в",)), ("w", ("в",)), ("g", ("г",)),
    ("h", ("х", "г")), ("d", ("д",)), ("e", ("е", "э")), ("z", ("з",)), ("i", ("и", "і")),
    ("j", ("й",)), ("k", ("к",)), ("l", ("л",)), ("m", ("м",)), ("n", ("н",)), ("o", ("о",)),
    ("p", ("п",)), ("r", ("р",)), ("s", ("с",)), ("t", ("т",)), ("u", ("у",)), ("f", ("ф",)),
    ("c", ("ц", "к")), ("x", ("кс",)), ("q", ("к",)), ("'", ("ь",)),
]  # fmt: skip

MAX_VARIANTS = 6


def _limited_product(parts: list[tuple[str, ...]]) -> list[str]:
    """The spellings made from per-letter choices: the first choices first, at most a few."""
    # Keep only as many ambiguous letters open as MAX_VARIANTS allows; the rest take choice one.
    open_slots = 0
    budget = 1
    trimmed: list[tuple[str, ...]] = []
    for choices in parts:
        if len(choices) > 1 and budget * len(choices) <= MAX_VARIANTS and open_slots < 3:
            budget *= len(choices)
            open_slots += 1
            trimmed.append(choices)
        else:
            trimmed.append(choices[:1])
    return list(dict.fromkeys("".join(p) for p in product(*trimmed)))


def to_latin(word: str) -> list[str]:
    """Latin spellings of a folded Cyrillic word (empty when it has no Cyrillic)."""
    if not is_cyrillic(word):
        return []
    return _limited_product([_TO_LATIN.get(c, (c,)) for c in word])


def to_cyrillic(word: str) -> list[str]:
    """Cyrillic spellings of a folded Latin word typed for Russian or Ukrainian."""
    if not word.isascii() or not word.isalpha():
        return []
    parts: list[tuple[str, ...]] = []
    i = 0
    while i < len(word):
        for latin, cyrillic in _TO_CYRILLIC:
            if word.startswith(latin, i):
                parts.append(cyrillic)
                i += len(latin)
                break
        else:
            parts.append((word[i],))
            i += 1
    return _limited_product(parts)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau–Levenshtein distance (adjacent swaps count one), or limit + 1 when above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def typo_limit(word: str) -> int:
    """How many edits a word of this length forgives: none below 4 letters, two from 9."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 9 else 2
