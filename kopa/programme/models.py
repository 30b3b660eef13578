from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kopa.accounts.models import Organisation
from kopa.core.countries import country_name, language_names, validate_country
from kopa.core.i18n import TranslatedField
from kopa.core.timezones import is_time_zone


def validate_language_list(value: object) -> None:
    """ISO 639-1 codes of languages an activity is held in or a person speaks."""
    if not isinstance(value, list) or not all(
        isinstance(code, str) and code in language_names("en") for code in value
    ):
        raise ValidationError(_("Choose languages from the list."), code="invalid_language")


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(_("Choose a time zone such as Europe/Riga."), code="invalid_tz")


class TargetGroup(models.Model):
    """A group of people the programme trains (librarians, volunteers, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = TranslatedField(_("name"), max_length=120)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return str(self.name)


class Project(models.Model):
    """A funded project: its grant, period, money, partners and plan of activities."""

    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    name = TranslatedField(_("name"), max_length=200)
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    summary = TranslatedField(_("summary"), multiline=True, blank=True)
    goal = TranslatedField(_("goal"), multiline=True, blank=True)
    task = TranslatedField(_("task"), multiline=True, blank=True)
    funding_programme = models.CharField(_("funding programme"), max_length=120)
    action_code = models.CharField(pgettext_lazy("funding", "action"), max_length=40, blank=True)
    action_name = TranslatedField(_("action name"), max_length=200, blank=True)
    funding_statement = TranslatedField(
        _("funding statement"),
        max_length=300,
        blank=True,
        help_text=_("Printed on certificates and reports, e.g. “Co-funded by the European Union”."),
    )
    call_year = models.PositiveSmallIntegerField(_("call year"), null=True, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    total_cost = models.DecimalField(_("total cost"), max_digits=12, decimal_places=2)
    external_cofinancing = models.DecimalField(
        _("external co-financing"), max_digits=12, decimal_places=2, default=0
    )
    municipal_cofinancing = models.DecimalField(
        _("municipal co-financing"), max_digits=12, decimal_places=2, default=0
    )
    proposer = models.ForeignKey(
        Organisation,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="projects"
    )
    is_demo = models.BooleanField(_("fictional demo record"), default=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["start_date", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(self.name)


class ProjectPartner(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead partner")
        PARTNER = "partner", _("Partner")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnerships"
    )
    role = models.CharField(_("partner role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        ordering = ["project", "role", "organisation__slug"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="partner_once"),
            models.UniqueConstraint(
                fields=["project"], condition=models.Q(role="lead"), name="one_lead_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Priority(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveSmallIntegerField(default=0)
    text = TranslatedField(_("priority"), max_length=500)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["project", "position"]

    def __str__(self) -> str:
        return str(self.text)


class ActivityKind(models.Model):
    """International seminar, workshop, field trip, storytelling evening; more can be added."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = TranslatedField(_("name"), max_length=120)
    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("kind of activity")
        verbose_name_plural = _("kinds of activity")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return str(self.name)


class Activity(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for registration")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class Precision(models.TextChoices):
        DAY = "day", _("day")
        MONTH = "month", _("month")
        YEAR = "year", _("year")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="activities")
    kind = models.ForeignKey(
        ActivityKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="activities"
    )
    slug = models.SlugField(_("short name in addresses"), max_length=100, unique=True)
    title = TranslatedField(_("title"), max_length=200)
    theme = TranslatedField(_("theme"), max_length=300, blank=True)
    purpose = TranslatedField(_("purpose"), multiline=True, blank=True, max_length=4000)
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), related_name="organised_activities"
    )
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), blank=True, related_name="activities"
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    venue = TranslatedField(_("venue"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    working_languages = models.JSONField(
        _("working languages"), default=list, blank=True, validators=[validate_language_list]
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Riga", validators=[validate_time_zone]
    )
    # The plan, as precise as it was written: "October 2023", or "2023–2024".
    planned_start = models.DateField(_("planned from"))
    planned_end = models.DateField(_("planned until"))
    planned_precision = models.CharField(
        max_length=8, choices=Precision.choices, default=Precision.DAY
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    capacity = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("Leave empty when there is no limit.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    requires_approval = models.BooleanField(
        _("a coordinator approves each registration"), default=False
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder, days before"),
        default=2,
        validators=[MaxValueValidator(60)],
        help_text=_("Registered people get a reminder this many days before; 0 sends none."),
    )
    agenda = TranslatedField(_("agenda"), multiline=True, blank=True, max_length=10000)
    # Optimistic locking for coordinators editing the same activity at once.
    version = models.PositiveIntegerField(default=1, editable=False)
    position = models.PositiveSmallIntegerField(_("position in the plan"), default=0)
    is_demo = models.BooleanField(_("fictional demo record"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["planned_start", "position", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")),
                name="activity_plan_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_start(self) -> dt.datetime | None:
        return None if self.starts_at is None else self.starts_at.astimezone(self.zone())

    def local_end(self) -> dt.datetime | None:
        return None if self.ends_at is None else self.ends_at.astimezone(self.zone())

    def when(self) -> str:
        """The date as precise as it is known, in the active language."""
        start = self.local_start()
        if start is not None:
            return date_format(start, "DATE_FORMAT")
        if self.planned_precision == self.Precision.DAY:
            return date_format(self.planned_start, "DATE_FORMAT")
        if self.planned_precision == self.Precision.MONTH:
            if self.planned_start.replace(day=1) == self.planned_end.replace(day=1):
                return date_format(self.planned_start, "YEAR_MONTH_FORMAT")
            return "{} – {}".format(
                date_format(self.planned_start, "YEAR_MONTH_FORMAT"),
                date_format(self.planned_end, "YEAR_MONTH_FORMAT"),
            )
        if self.planned_start.year == self.planned_end.year:
            return str(self.planned_start.year)
        return f"{self.planned_start.year}–{self.planned_end.year}"

    @property
    def seats_left(self) -> int | None:
        """Free seats; None when there is no limit. Uses the list's annotation when present."""
        if self.capacity is None:
            return None
        confirmed = getattr(self, "confirmed_count", None)
        if confirmed is None:
            confirmed = self.registrations.filter(status="confirmed").count()
        return max(self.capacity - confirmed, 0)

    def registration_state(self, now: dt.datetime | None = None) -> str:
        """open, not_open (planned, or the window has not started), closed, cancelled or held."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        if self.status == self.Status.HELD:
            return "held"
        if self.status != self.Status.OPEN:
            return "not_open"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_open"
        if self.registration_closes_at and now >= self.registration_closes_at:
            return "closed"
        if self.starts_at and now >= self.starts_at:
            return "closed"
        return "open"


class Question(models.Model):
    """A question the coordinator adds to an activity's registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("One choice from a list")
        YES_NO = "yes_no", _("Yes or no")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind of answer"), max_length=10, choices=Kind.choices)
    label = TranslatedField(_("question"), max_length=300)
    # One choice per line, the same order in every language.
    choices = TranslatedField(
        _("choices, one per line"), multiline=True, blank=True, max_length=2000
    )
    required = models.BooleanField(_("an answer is required"), default=False)
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["activity", "position", "id"]

    def __str__(self) -> str:
        return str(self.label)

    def choice_list(self) -> list[str]:
        """The choices in the active language (falling back like every translated text)."""
        return [line.strip() for line in str(self.choices).splitlines() if line.strip()]


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        PENDING = "pending", _("Waiting for approval")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined")

    ACTIVE = (Status.CONFIRMED, Status.WAITING, Status.PENDING)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    participant_group = models.ForeignKey(
        TargetGroup,
        verbose_name=_("participant group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
        help_text=_("Empty means: other."),
    )
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, validators=[validate_language_list]
    )
    language = models.CharField(
        _("language of messages"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    consent_notice = models.ForeignKey(
        "core.PrivacyNotice", on_delete=models.PROTECT, related_name="+"
    )
    consented_at = models.DateTimeField(_("consent given"))
    # Private links carry this id signed with the secret key (kopa.programme.links): a copy of
    # the database alone opens no one's registration, and every mail can repeat the link.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(_("seat confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(_("attended"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["activity", "created", "id"]
        constraints = [
            # One seat (or place in the queue) per email per activity, whatever the timing.
            models.UniqueConstraint(
                fields=["activity", "email"],
                condition=models.Q(status__in=["confirmed", "waiting", "pending"]),
                name="one_active_registration_per_email",
            )
        ]
        indexes = [models.Index(fields=["activity", "status", "created"])]

    def __str__(self) -> str:
        return f"{self.name} · {self.activity}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class FewerOpportunities(models.Model):
    """A participant's own declaration that they face fewer opportunities, for the funder's
    count of inclusion (the Erasmus+ categories). The row exists only when the participant gave
    this specific consent; no coordinator sees it, the report counts it only in groups of five
    or more, and it goes with the registration's anonymisation (erasure and retention)."""

    class Category(models.TextChoices):
        DISPLACED = "displaced", _("Refugee or displaced person")
        DISABILITY = "disability", _("Disability")
        HEALTH = "health", _("Health problems")
        EDUCATION = "education", _("Obstacles in education and training")
        CULTURAL = "cultural", _("Cultural differences")
        SOCIAL = "social", _("Social obstacles")
        ECONOMIC = "economic", _("Economic obstacles")
        DISCRIMINATION = "discrimination", _("Discrimination")
        GEOGRAPHIC = "geographic", _("Geographical obstacles")

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="fewer_opportunities"
    )
    categories = models.JSONField(_("fewer opportunities"), default=list)
    consent_notice = models.ForeignKey(
        "core.PrivacyNotice", on_delete=models.PROTECT, related_name="+"
    )
    consented_at = models.DateTimeField(_("consent given"))

    class Meta:
        verbose_name = _("participant facing fewer opportunities")
        verbose_name_plural = _("participants facing fewer opportunities")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def category_labels(self) -> list[str]:
        labels = dict(self.Category.choices)
        return [str(labels[code]) for code in self.categories if code in labels]


class ActivityPhoto(models.Model):
    """A photo of a held activity: evidence for the funder, and public only with consent.

    The files are WebP variants made by `kopa.core.images.process_upload`, stored under
    `MEDIA_ROOT/photos/<key>/<width>.webp` with a random `key`. `kopa.core.media_views` serves
    them at `/media/…` only when `public_media_file` says so (docs/media.md).
    """

    # The first folder of the stored files; kopa.core.media_views finds this model by it.
    MEDIA_PREFIX = "photos"

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos"
    )
    key = models.CharField(max_length=32, unique=True, editable=False)
    caption = TranslatedField(
        _("caption"),
        max_length=300,
        help_text=_("What the photo shows; it is also read aloud to people who cannot see it."),
    )
    original_language = models.CharField(
        _("original language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    credit = models.CharField(_("photo by"), max_length=200, blank=True)
    people_consented = models.BooleanField(
        _(
            "everyone recognisable in the photo agreed to its publication, or no one is "
            "recognisable"
        ),
        default=False,
        help_text=_(
            "Only then is the photo shown publicly. Otherwise only the organisers' coordinators "
            "see it, as evidence for the funder's report."
        ),
    )
    # The stored variants, narrowest first: [{"name": "480.webp", "width": 480, "height": 320}].
    sizes = models.JSONField(default=list, editable=False)
    format = models.CharField(max_length=8, default="webp", editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("photo of an activity")
        verbose_name_plural = _("photos of activities")
        ordering = ["activity", "created", "id"]

    def __str__(self) -> str:
        return str(self.caption)

    @property
    def is_public(self) -> bool:
        return self.people_consented

    @property
    def content_type(self) -> str:
        return {"webp": "image/webp"}[self.format]

    def file_names(self) -> list[str]:
        return [size["name"] for size in self.sizes]

    def storage_name(self, name: str) -> str:
        return f"{self.MEDIA_PREFIX}/{self.key}/{name}"

    def storage_names(self) -> list[str]:
        return [self.storage_name(name) for name in self.file_names()]

    def url(self, name: str) -> str:
        """The public address of one stored size (it answers only while the photo is public)."""
        return f"{settings.MEDIA_URL}{self.storage_name(name)}"

    @property
    def largest(self) -> dict[str, object]:
        return self.sizes[-1] if self.sizes else {"name": "", "width": 0, "height": 0}

    @property
    def src(self) -> str:
        """The fallback `src`: the middle size, good enough where srcset is not understood."""
        return self.url(self.sizes[min(1, len(self.sizes) - 1)]["name"]) if self.sizes else ""

    @property
    def srcset(self) -> str:
        return ", ".join(f"{self.url(size['name'])} {size['width']}w" for size in self.sizes)

    @classmethod
    def public_media_file(cls, *, key: str, name: str) -> tuple[str, str] | None:
        """(storage name, content type) of a file under /media/photos/ that anyone may see, or
        None: the photo does not exist, has no such size, or is not public."""
        photo = cls.objects.filter(key=key, people_consented=True).first()
        if photo is None or name not in photo.file_names():
            return None
        return photo.storage_name(name), photo.content_type
