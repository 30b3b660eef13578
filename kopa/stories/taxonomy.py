"""The shipped lists of themes and holidays, in the five languages of the site.

Loaded by the app's migration so every installation has them; admins can add more.
"""

from __future__ import annotations

from typing import Any

THEMES: list[tuple[str, dict[str, str]]] = [
    ("recipe", {"lv": "Recepte", "et": "Retsept", "en": "Recipe", "uk": "Рецепт", "ru": "Рецепт"}),
    (
        "family-tradition",
        {
            "lv": "Ģimenes tradīcija",
            "et": "Perekonna traditsioon",
            "en": "Family tradition",
            "uk": "Родинна традиція",
            "ru": "Семейная традиция",
        },
    ),
    ("holiday", {"lv": "Svētki", "et": "Püha", "en": "Holiday", "uk": "Свято", "ru": "Праздник"}),
    (
        "journey",
        {"lv": "Ceļojums", "et": "Teekond", "en": "Journey", "uk": "Подорож", "ru": "Путь"},
    ),
    ("home", {"lv": "Mājas", "et": "Kodu", "en": "Home", "uk": "Дім", "ru": "Дом"}),
    ("work", {"lv": "Darbs", "et": "Töö", "en": "Work", "uk": "Робота", "ru": "Работа"}),
    (
        "childhood",
        {"lv": "Bērnība", "et": "Lapsepõlv", "en": "Childhood", "uk": "Дитинство", "ru": "Детство"},
    ),
    (
        "new-beginnings",
        {
            "lv": "Jauns sākums",
            "et": "Uus algus",
            "en": "New beginnings",
            "uk": "Новий початок",
            "ru": "Новое начало",
        },
    ),
    (
        "friendship",
        {"lv": "Draudzība", "et": "Sõprus", "en": "Friendship", "uk": "Дружба", "ru": "Дружба"},
    ),
    (
        "language",
        {"lv": "Valoda", "et": "Keel", "en": "Language", "uk": "Мова", "ru": "Язык"},
    ),
]

HOLIDAYS: list[tuple[str, dict[str, str]]] = [
    (
        "christmas",
        {
            "lv": "Ziemassvētki",
            "et": "Jõulud",
            "en": "Christmas",
            "uk": "Різдво",
            "ru": "Рождество",
        },
    ),
    (
        "easter",
        {"lv": "Lieldienas", "et": "Lihavõtted", "en": "Easter", "uk": "Великдень", "ru": "Пасха"},
    ),
    (
        "new-year",
        {
            "lv": "Jaunais gads",
            "et": "Uusaasta",
            "en": "New Year",
            "uk": "Новий рік",
            "ru": "Новый год",
        },
    ),
    (
        "janis",
        {
            "lv": "Jāņi",
            "et": "Jaanipäev",
            "en": "Jāņi (Midsummer)",
            "uk": "Янів день",
            "ru": "Лиго",
        },
    ),
    (
        "ivana-kupala",
        {
            "lv": "Ivana Kupala",
            "et": "Ivan Kupala",
            "en": "Ivana Kupala",
            "uk": "Івана Купала",
            "ru": "Иван Купала",
        },
    ),
    (
        "independence-day",
        {
            "lv": "Neatkarības diena",
            "et": "Iseseisvuspäev",
            "en": "Independence Day",
            "uk": "День Незалежності",
            "ru": "День независимости",
        },
    ),
    (
        "harvest",
        {
            "lv": "Miķeļdiena",
            "et": "Mihklipäev",
            "en": "Harvest festival",
            "uk": "Свято врожаю",
            "ru": "Праздник урожая",
        },
    ),
    (
        "birthday",
        {
            "lv": "Dzimšanas diena",
            "et": "Sünnipäev",
            "en": "Birthday",
            "uk": "День народження",
            "ru": "День рождения",
        },
    ),
]


def load_shipped(theme_model: Any, holiday_model: Any) -> int:
    """Create the themes and holidays that are missing; never changes an existing one."""
    created = 0
    for model, rows in ((theme_model, THEMES), (holiday_model, HOLIDAYS)):
        for position, (code, label) in enumerate(rows):
            _row, made = model.objects.get_or_create(
                code=code, defaults={"label": label, "position": position}
            )
            created += made
    return created
