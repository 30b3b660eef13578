"""Stories and recipes told at the evenings, with the teller's consent, translations and media.

A story is shown to anyone but its editors only while it is published *and* its current consent
(`Story.consent`, the latest consent not withdrawn) covers publishing the text. Withdrawing a
consent clears `Story.consent` in the same transaction, so every public query, the feed, the
export, the search index and the book drop the story at once. See docs/stories.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Organisation
from kopa.core.countries import country_name, validate_country
from kopa.core.i18n import TranslatedField
from kopa.core.models import PrivacyNotice
from kopa.programme.models import Activity


class ShippedTerm(models.Model):
    """An entry of a list shipped with the platform, labelled in five languages; admins may add."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = TranslatedField(_("label"), max_length=120)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return str(self.label)


class Theme(ShippedTerm):
    """What a story is about (recipe, family tradition, journey …)."""

    class Meta(ShippedTerm.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Holiday(ShippedTerm):
    """A holiday a story names (Christmas, Easter, Jāņi, Ivana Kupala …)."""

    class Meta(ShippedTerm.Meta):
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")


class Teller(models.Model):
    """Who told a story: a name, a pseudonym, or nobody named at all.

    The email is optional and used only to send the private withdrawal link.
    """

    class Naming(models.TextChoices):
        NAME = "name", _("Their name")
        PSEUDONYM = "pseudonym", _("A pseudonym")
        ANONYMOUS = "anonymous", _("Anonymous")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("recorded by organisation"),
        on_delete=models.PROTECT,
        related_name="story_tellers",
    )
    naming = models.CharField(
        _("how the teller is named"), max_length=20, choices=Naming.choices, default=Naming.NAME
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    pseudonym = models.CharField(_("pseudonym"), max_length=150, blank=True)
    email = models.EmailField(
        _("email for the withdrawal link"),
        blank=True,
        help_text=_("Optional. Used only to send the private link to withdraw consent."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("teller")
        verbose_name_plural = _("tellers")
        ordering = ["organisation", "pk"]

    def __str__(self) -> str:
        return self.name or self.pseudonym or str(_("Anonymous"))

    def display_name(self, *, show_name: bool) -> str:
        """The teller as the public may see them: the name only when consented."""
        if self.naming == self.Naming.NAME and show_name and self.name:
            return self.name
        if self.naming == self.Naming.PSEUDONYM and self.pseudonym:
            return self.pseudonym
        return str(_("Anonymous teller"))


class Story(models.Model):
    class Kind(models.TextChoices):
        STORY = "story", _("Story")
        RECIPE = "recipe", _("Recipe")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CIRCLE = "circle", _("Members of the support circle")
        TEAM = "team", _("The project team")
        PRIVATE = "private", _("The teller and the editors only")

    class DatePrecision(models.TextChoices):
        YEAR = "year", _("Year only")
        MONTH = "month", _("Month and year")
        DAY = "day", _("Exact day")

    class PlacePrecision(models.TextChoices):
        COUNTRY = "country", _("Country only")
        TOWN = "town", _("Town and country")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STORY)
    title = TranslatedField(_("title"), max_length=200)
    summary = TranslatedField(_("summary"), multiline=True, blank=True, max_length=600)
    text = TranslatedField(_("text"), multiline=True, max_length=40000)
    original_language = models.CharField(
        _("told in"), max_length=8, choices=settings.LANGUAGES, default="lv"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("recorded by organisation"),
        on_delete=models.PROTECT,
        related_name="stories",
    )
    teller = models.ForeignKey(
        Teller, verbose_name=_("teller"), on_delete=models.PROTECT, related_name="stories"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("told at"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country]
    )
    town = models.CharField(_("town"), max_length=120, blank=True)
    place_precision = models.CharField(
        _("place shown as"),
        max_length=10,
        choices=PlacePrecision.choices,
        default=PlacePrecision.COUNTRY,
    )
    told_on = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date shown as"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.YEAR
    )
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), blank=True, related_name="stories"
    )
    holidays = models.ManyToManyField(
        Holiday, verbose_name=_("holidays"), blank=True, related_name="stories"
    )
    related = models.ManyToManyField("self", verbose_name=_("related stories"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("who may see it"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PRIVATE,
    )
    # The consent in force: the latest one recorded and not withdrawn. None means nobody but the
    # editors may see the story, whatever its status.
    consent = models.OneToOneField(
        "Consent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdrawn_at = models.DateTimeField(_("consent withdrawn"), null=True, blank=True)
    # Recipes only.
    servings = models.PositiveSmallIntegerField(_("servings"), null=True, blank=True)
    total_minutes = models.PositiveSmallIntegerField(
        _("total time in minutes"), null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    is_demo = models.BooleanField(_("fictional demo record"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-published_at", "-created", "-pk"]
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return str(self.title)

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", kwargs={"public_id": self.public_id})

    @property
    def is_recipe(self) -> bool:
        return self.kind == self.Kind.RECIPE

    @property
    def is_withdrawn(self) -> bool:
        """Consent was withdrawn and no new consent has been recorded since."""
        return self.withdrawn_at is not None and self.consent_id is None

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.visibility == self.Visibility.PUBLIC
            and self.consent is not None
            and self.consent.publish_text
        )

    def teller_display(self) -> str:
        consent = self.consent
        return self.teller.display_name(show_name=bool(consent and consent.show_name))

    def place_display(self) -> str:
        if not self.country:
            return ""
        country = country_name(self.country)
        if self.place_precision == self.PlacePrecision.TOWN and self.town:
            return f"{self.town}, {country}"
        return country

    def date_display(self) -> str:
        if self.told_on is None:
            return ""
        if self.date_precision == self.DatePrecision.DAY:
            return date_format(self.told_on, "DATE_FORMAT")
        if self.date_precision == self.DatePrecision.MONTH:
            return date_format(self.told_on, "YEAR_MONTH_FORMAT")
        return str(self.told_on.year)

    def date_iso(self) -> str:
        """The date at the chosen precision, ISO 8601 (2024, 2024-06, 2024-06-23)."""
        if self.told_on is None:
            return ""
        if self.date_precision == self.DatePrecision.DAY:
            return self.told_on.isoformat()
        if self.date_precision == self.DatePrecision.MONTH:
            return f"{self.told_on:%Y-%m}"
        return f"{self.told_on:%Y}"


class TranslationCredit(models.Model):
    """Who translated a story into one language, and when; the told-in language has none."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="translation_credits")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    translator = models.CharField(_("translated by"), max_length=150)
    translated_on = models.DateField(_("translated on"))

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["story", "language"]
        constraints = [
            models.UniqueConstraint(fields=["story", "language"], name="one_credit_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.translator}"


class Consent(models.Model):
    """What the teller (or their guardian) agreed to, how, and when; withdrawable by link."""

    class GivenBy(models.TextChoices):
        TELLER = "teller", _("The teller")
        GUARDIAN = "guardian", _("A parent or guardian")

    class Method(models.TextChoices):
        FORM = "form", _("Signed form")
        ORAL = "oral", _("Oral, witnessed by a coordinator")

    FORM_PREFIX = "story-consents"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="consents")
    given_by = models.CharField(
        _("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.TELLER
    )
    given_by_name = models.CharField(_("name of the person who consented"), max_length=150)
    given_on = models.DateField(_("date of consent"))
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    # A private file: stored outside any public prefix and shown only to editors.
    form_file = models.CharField(max_length=200, blank=True, editable=False)
    form_content_type = models.CharField(max_length=40, blank=True, editable=False)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("witnessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publish_text = models.BooleanField(_("publish the text"), default=False)
    publish_photo = models.BooleanField(_("publish photos"), default=False)
    publish_voice = models.BooleanField(_("publish the voice recording"), default=False)
    show_name = models.BooleanField(_("show the teller's name"), default=False)
    translation_allowed = models.BooleanField(_("translation allowed"), default=False)
    notice = models.ForeignKey(
        PrivacyNotice,
        verbose_name=_("privacy notice version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["story", "-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.story_id} {self.given_on}"

    def scopes(self) -> list[str]:
        return [
            name
            for name in (
                "publish_text",
                "publish_photo",
                "publish_voice",
                "show_name",
                "translation_allowed",
            )
            if getattr(self, name)
        ]


class Ingredient(models.Model):
    class Unit(models.TextChoices):
        NONE = "", _("(no unit)")
        G = "g", _("g")
        KG = "kg", _("kg")
        ML = "ml", _("ml")
        L = "l", _("l")
        CUP = "cup", _("cup")
        TBSP = "tbsp", _("tbsp")
        TSP = "tsp", _("tsp")
        PIECE = "piece", _("piece")
        PINCH = "pinch", _("pinch")

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="ingredients")
    position = models.PositiveSmallIntegerField(default=0)
    quantity = models.DecimalField(
        _("quantity"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, blank=True)
    item = TranslatedField(_("ingredient"), max_length=200)
    note = TranslatedField(_("note"), max_length=200, blank=True)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="lv")

    class Meta:
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")
        ordering = ["story", "position", "pk"]

    def __str__(self) -> str:
        return str(self.item)


class Step(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    text = TranslatedField(_("step"), multiline=True, max_length=2000)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="lv")

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["story", "position", "pk"]

    def __str__(self) -> str:
        return str(self.text)[:60]


def _public_story_q(prefix: str = "story__") -> models.Q:
    return models.Q(
        **{
            f"{prefix}status": Story.Status.PUBLISHED,
            f"{prefix}visibility": Story.Visibility.PUBLIC,
            f"{prefix}consent__publish_text": True,
        }
    )


class StoryPhoto(models.Model):
    """A photo of a story, cleaned by kopa.core.images; public only with every consent needed."""

    MEDIA_PREFIX = "story-photos"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="photos")
    key = models.CharField(max_length=32, unique=True, editable=False)
    sizes = models.JSONField(default=list, editable=False)
    format = models.CharField(max_length=10, default="webp", editable=False)
    caption = TranslatedField(_("caption"), max_length=300)
    credit = models.CharField(_("photo by"), max_length=150, blank=True)
    shows_others = models.BooleanField(
        _("shows people other than the teller"),
        default=False,
    )
    others_consented = models.BooleanField(
        _("everyone else shown agreed to publication"), default=False
    )
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="lv")
    position = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["story", "position", "pk"]

    def __str__(self) -> str:
        return str(self.caption)

    @property
    def people_ok(self) -> bool:
        return not self.shows_others or self.others_consented

    def is_public_with(self, story: Story) -> bool:
        return story.is_public and story.consent.publish_photo and self.people_ok

    def storage_name(self, name: str) -> str:
        return f"{self.MEDIA_PREFIX}/{self.key}/{name}"

    def storage_names(self) -> list[str]:
        return [self.storage_name(size["name"]) for size in self.sizes]

    def url(self, name: str) -> str:
        return f"{settings.MEDIA_URL}{self.storage_name(name)}"

    @property
    def largest(self) -> dict:
        return self.sizes[-1]

    @property
    def src(self) -> str:
        """The middle size, for browsers that ignore srcset."""
        return self.url(self.sizes[min(1, len(self.sizes) - 1)]["name"])

    def srcset(self) -> str:
        return ", ".join(f"{self.url(s['name'])} {s['width']}w" for s in self.sizes)

    @classmethod
    def public_media_file(cls, *, key: str, name: str) -> tuple[str, str] | None:
        photo = (
            cls.objects.select_related("story__consent")
            .filter(_public_story_q(), key=key, story__consent__publish_photo=True)
            .filter(models.Q(shows_others=False) | models.Q(others_consented=True))
            .first()
        )
        if photo is None or name not in {size["name"] for size in photo.sizes}:
            return None
        return photo.storage_name(name), "image/webp"


class StoryAudio(models.Model):
    """A recording of the story being told; public only with consent to publish the voice."""

    MEDIA_PREFIX = "story-audio"
    CONTENT_TYPES = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "m4a": "audio/mp4"}

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="recordings")
    key = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=4, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    caption = TranslatedField(_("caption"), max_length=300)
    credit = models.CharField(_("recorded by"), max_length=150, blank=True)
    transcript = TranslatedField(_("transcript"), multiline=True, blank=True, max_length=40000)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="lv")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        ordering = ["story", "pk"]

    def __str__(self) -> str:
        return str(self.caption)

    @property
    def file_name(self) -> str:
        return f"recording.{self.extension}"

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES[self.extension]

    def storage_name(self) -> str:
        return f"{self.MEDIA_PREFIX}/{self.key}/{self.file_name}"

    def url(self) -> str:
        return f"{settings.MEDIA_URL}{self.storage_name()}"

    def is_public_with(self, story: Story) -> bool:
        return story.is_public and story.consent.publish_voice

    @classmethod
    def public_media_file(cls, *, key: str, name: str) -> tuple[str, str] | None:
        recording = (
            cls.objects.filter(_public_story_q(), key=key, story__consent__publish_voice=True)
            .only("key", "extension")
            .first()
        )
        if recording is None or name != recording.file_name:
            return None
        return recording.storage_name(), recording.content_type
