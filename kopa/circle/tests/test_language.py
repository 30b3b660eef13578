"""Which language a text is in: lv, et, en, uk or ru, from letters and short words."""

from __future__ import annotations

import pytest

from kopa.circle.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bezmaksas jurista konsultācijas bibliotēkā katru otrdienu.", "lv"),
        ("Krīzes dzīvoklis ģimenēm ar bērniem", "lv"),
        ("Tasuta õigusabi raamatukogus igal teisipäeval.", "et"),
        ("Vene ja eesti keele kursused täiskasvanutele", "et"),
        ("Free legal advice in the library every Tuesday.", "en"),
        ("Безкоштовна юридична допомога в бібліотеці щовівторка.", "uk"),
        ("Її сім’я шукає житло", "uk"),
        ("Бесплатная юридическая помощь в библиотеке по вторникам.", "ru"),
        ("Съёмное жильё для семьи", "ru"),
        # Without its diacritics Latvian still has its short words.
        ("Bezmaksas palidziba un konsultacijas par dokumentiem", "lv"),
    ],
)
def test_it_detects_the_language_of_a_text(text, language):
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text", ["", "   ", "12:00–14:00", "+371 2904 7713", "Valmiera", "Tallinn"]
)
def test_it_says_nothing_when_the_text_does_not_tell(text):
    assert detect_language(text) is None


def test_it_sorts_the_development_set_into_its_languages(devset):
    found = [detect_language(f"{s['name']}\n{s['description']}") for s in devset]
    assert {code: found.count(code) for code in set(found)} == {"lv": 20, "et": 16, "en": 4}
