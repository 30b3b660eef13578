"""The support circle's directory in the shape of HSDS 3.0 (Open Referral).

Tables and fields carry the HSDS object and field names, and every record keeps its HSDS id
(a UUID) as its primary key, so an imported feed and our API speak of the same records. Text that
a person reads is a TranslatedField (one JSON object per field, {language: text}) with the
record's `original_language`; codes, numbers, addresses and phone numbers are plain fields.
Parts of HSDS that the platform does not use yet (programs, funding, service areas,
accessibility, metadata) are not stored; see docs/circle.md.

Writes go through `kopa.circle.services` (audited); reads through `kopa.circle.selectors`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopa.circle.opening import Rule, parse_byday, parse_monthdays
from kopa.core.i18n import TranslatedField, raw_translations
from kopa.core.timezones import is_time_zone


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(_("Choose a time zone such as Europe/Riga."), code="invalid_tz")


def validate_byday(value: str) -> None:
    try:
        parse_byday(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid_byday") from error


def validate_monthdays(value: str) -> None:
    try:
        parse_monthdays(value)
    except ValueError as error:
        raise ValidationError(str(error), code="invalid_bymonthday") from error


def search_key(text: str) -> str:
    """Text folded for the simple contains-search: lower case, without diacritics."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _all_texts(*values: Any) -> str:
    return "\n".join(text for value in values for text in raw_translations(value).values())


def _with_search_text(kwargs: dict[str, Any]) -> dict[str, Any]:
    """save(update_fields=[...]) also saves search_text, which follows the texts."""
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
    return kwargs


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("Physical")
    POSTAL = "postal", _("Postal")
    VIRTUAL = "virtual", _("Virtual")


class HsdsRecord(models.Model):
    """An HSDS object: its HSDS id is its primary key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class TranslatableRecord(HsdsRecord):
    """An HSDS object with text people read, stored per language (docs/i18n.md)."""

    original_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    class Meta:
        abstract = True


class Organization(TranslatableRecord):
    name = TranslatedField(max_length=300)
    alternate_name = TranslatedField(max_length=300, blank=True)
    description = TranslatedField(multiline=True, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    logo = models.URLField(max_length=500, blank=True)
    uri = models.URLField(max_length=500, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(2200)]
    )
    legal_status = models.CharField(max_length=200, blank=True)
    parent_organization = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Optimistic locking: a save that started from an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(default=timezone.now)
    # Name in every language, folded by search_key(); kept by save().
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("organisation in the directory")
        verbose_name_plural = _("organisations in the directory")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_key(_all_texts(self.name, self.alternate_name))
        super().save(*args, **_with_search_text(kwargs))


class Service(TranslatableRecord):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    name = TranslatedField(max_length=300)
    alternate_name = TranslatedField(max_length=300, blank=True)
    description = TranslatedField(multiline=True, blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = TranslatedField(multiline=True, blank=True)
    application_process = TranslatedField(multiline=True, blank=True)
    fees_description = TranslatedField(multiline=True, blank=True)
    eligibility_description = TranslatedField(multiline=True, blank=True)
    minimum_age = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(150)]
    )
    maximum_age = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(150)]
    )
    alert = TranslatedField(multiline=True, blank=True)
    # When someone last checked the information (HSDS `assured_date`), and who.
    last_verified = models.DateField(null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    # When the service or anything nested in it last changed (HSDS `last_modified`).
    last_modified = models.DateTimeField(default=timezone.now, db_index=True)
    # Name and description in every language, folded by search_key(); kept by save().
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_key(_all_texts(self.name, self.description))
        super().save(*args, **_with_search_text(kwargs))

    def clean(self) -> None:
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.minimum_age > self.maximum_age
        ):
            raise ValidationError({"maximum_age": "must not be below minimum_age"})

    def all_schedules(self) -> list[Schedule]:
        """The service's own schedules and those at its locations (prefetch them for lists)."""
        schedules = list(self.schedules.all())
        for at_location in self.service_at_locations.all():
            schedules.extend(at_location.schedules.all())
        return schedules

    def is_open_at(self, moment: dt.datetime) -> bool:
        return any(schedule.is_open_at(moment) for schedule in self.all_schedules())

    def next_opening(self, after: dt.datetime) -> dt.datetime | None:
        openings = [s.next_opening(after) for s in self.all_schedules()]
        found = [opening for opening in openings if opening is not None]
        return min(found) if found else None


class Location(TranslatableRecord):
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    url = models.URLField(max_length=500, blank=True)
    name = TranslatedField(max_length=300, blank=True)
    alternate_name = TranslatedField(max_length=300, blank=True)
    description = TranslatedField(multiline=True, blank=True)
    transportation = TranslatedField(multiline=True, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["id"]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return str(self.name) or str(self.id)

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": "give both latitude and longitude, or neither"})

    def country(self) -> str:
        """The country of its physical address, else of any address (prefetch addresses)."""
        addresses = sorted(self.addresses.all(), key=lambda a: a.address_type != "physical")
        return next((a.country for a in addresses if a.country), "")


class ServiceAtLocation(TranslatableRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = TranslatedField(multiline=True, blank=True)

    class Meta:
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Address(HsdsRecord):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=200)
    region = models.CharField(max_length=200, blank=True)
    state_province = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=2)
    address_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["id"]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.address_1, self.city, self.country) if part)


class Contact(TranslatableRecord):
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = TranslatedField(max_length=200, blank=True)
    department = TranslatedField(max_length=200, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Phone(TranslatableRecord):
    # HSDS links a phone to any of these; one phone may serve several (its row has each id).
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="phones",
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=60)
    extension = models.PositiveIntegerField(null=True, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = TranslatedField(multiline=True, blank=True)

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.number


class Schedule(TranslatableRecord):
    """When a service is open, in wall-clock time at its place (see kopa.circle.opening)."""

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, choices=Frequency.choices, blank=True)
    interval = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    byday = models.CharField(max_length=100, blank=True, validators=[validate_byday])
    byweekno = models.CharField(max_length=200, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True, validators=[validate_monthdays])
    byyearday = models.CharField(max_length=200, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    # The IANA zone the times are in; HSDS's fixed `timezone` offset would be wrong half the year.
    time_zone = models.CharField(
        max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    schedule_link = models.URLField(max_length=500, blank=True)
    description = TranslatedField(multiline=True, blank=True)
    attending_type = TranslatedField(max_length=300, blank=True)
    notes = TranslatedField(multiline=True, blank=True)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["id"]

    def __str__(self) -> str:
        times = f"{self.opens_at or '?'}–{self.closes_at or '?'}"
        return f"{self.freq or 'WEEKLY'} {self.byday} {times} {self.time_zone}".strip()

    def clean(self) -> None:
        if self.wkst and self.wkst not in {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}:
            raise ValidationError({"wkst": "must be a weekday code such as MO"})
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": "must not be before valid_from"})

    def rule(self) -> Rule:
        return Rule(
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            time_zone=self.time_zone,
            freq=self.freq,
            interval=self.interval,
            byday=self.byday,
            bymonthday=self.bymonthday,
            wkst=self.wkst,
            dtstart=self.dtstart,
            until=self.until,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        )

    def is_open_at(self, moment: dt.datetime) -> bool:
        """Open at this instant? `moment` must be timezone-aware."""
        return self.rule().is_open_at(moment)

    def next_opening(self, after: dt.datetime) -> dt.datetime | None:
        """The first opening that starts at or after `after`, in the schedule's zone."""
        return self.rule().next_opening(after)


class Language(TranslatableRecord):
    """A language a service is delivered in (or spoken at a location, or on a phone line)."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    # The language's name, written in the language of the record's text ("krievu", "vene").
    name = TranslatedField(max_length=100, blank=True)
    code = models.CharField(max_length=20, blank=True)
    note = TranslatedField(multiline=True, blank=True)

    class Meta:
        verbose_name = _("language of a service")
        verbose_name_plural = _("languages of services")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.code or str(self.name)


class CostOption(TranslatableRecord):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = TranslatedField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount_description = TranslatedField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}".strip()


class RequiredDocument(TranslatableRecord):
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="required_documents"
    )
    document = TranslatedField(multiline=True, blank=True)
    uri = models.URLField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.document)


class Taxonomy(TranslatableRecord):
    name = TranslatedField(max_length=300)
    description = TranslatedField(multiline=True, blank=True)
    uri = models.URLField(max_length=500, blank=True)
    # HSDS's own `version` of the taxonomy (a label such as "1.0"), not a lock counter.
    version = models.CharField(max_length=40, blank=True)
    # Shipped with the platform: imports link to it but never change it.
    is_platform = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.name)


class TaxonomyTerm(TranslatableRecord):
    """A category; the platform ships its own (kopa/circle/seed/taxonomy.json)."""

    code = models.CharField(max_length=100, blank=True, db_index=True)
    name = TranslatedField(max_length=300)
    description = TranslatedField(multiline=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    taxonomy = models.ForeignKey(
        Taxonomy, null=True, blank=True, on_delete=models.PROTECT, related_name="terms"
    )
    # HSDS `taxonomy`: the name of an established taxonomy when there is no taxonomy record.
    taxonomy_label = models.CharField(max_length=300, blank=True)
    term_uri = models.URLField(max_length=500, blank=True)
    # Shipped with the platform: imports link to it but never change it.
    is_platform = models.BooleanField(default=False, editable=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code", "id"]

    def __str__(self) -> str:
        return str(self.name)


class Attribute(HsdsRecord):
    """Links a record (usually a service) to a taxonomy term, as HSDS does."""

    link_entity = models.CharField(max_length=50)
    link_id = models.UUIDField()
    link_type = models.CharField(max_length=50, blank=True)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.PROTECT, related_name="attributes"
    )
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("category link")
        verbose_name_plural = _("category links")
        ordering = ["id"]
        # A record's links are read by (link_id, link_entity): with link_id first, SQLite
        # without statistics no longer prefers the index on link_entity alone, which is the
        # same for 100,000 services.
        indexes = [
            models.Index(fields=["link_entity", "taxonomy_term"]),
            models.Index(fields=["link_id", "link_entity"], name="circle_attribute_link"),
        ]

    def __str__(self) -> str:
        return f"{self.link_entity} {self.link_id} → {self.taxonomy_term_id}"


# --- the people of the circle and keeping the directory true -----------------------------------


class MemberProfile(models.Model):
    """A circle member's own page, seen by logged-in circle members only (never public).

    Optional: a person has at most one, writes it themselves and may delete it. No address or
    phone is stored here; colleagues reach each other through relayed messages (CircleMessage).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_profile"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=150, blank=True)
    expertise = TranslatedField(_("expertise"), multiline=True, blank=True, max_length=2000)
    original_language = models.CharField(
        _("language you write in"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # Two-letter codes separated by commas, e.g. "lv,uk": portable to filter on every database.
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    region = models.CharField(_("town or region"), max_length=120, blank=True)
    offers_peer_support = models.BooleanField(_("offers a shoulder to colleagues"), default=False)
    visible = models.BooleanField(_("visible to the circle"), default=True)
    accepts_messages = models.BooleanField(_("accepts messages"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class CircleMessage(models.Model):
    """That one member wrote to another through the platform: who, to whom, when.

    The text itself is never stored: it goes from the form into the relayed mail (after commit)
    and nowhere else. The row is what the rate limit, the audit and the person's own data
    export need.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Being sent")
        RELAYED = "relayed", _("Relayed")
        FAILED = "failed", _("Could not be sent")

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    shared_address = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)

    class Meta:
        verbose_name = _("relayed message")
        verbose_name_plural = _("relayed messages")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.sender_id} → {self.recipient_id} {self.created:%Y-%m-%d}"


class Suggestion(models.Model):
    """A member's proposal of a new service or a correction, until an editor decides on it."""

    class Kind(models.TextChoices):
        NEW = "new", _("New service")
        CORRECTION = "correction", _("Correction")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not accepted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The language the suggester wrote in: their texts are stored under it when accepted.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    note = models.TextField(_("what should change, and how you know"), max_length=4000)
    # Proposed field values (see forms.SUGGESTION_FIELDS): plain strings, never HTML.
    proposed = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created:%Y-%m-%d}"
