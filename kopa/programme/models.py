from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Organisation
from kopa.core.countries import country_name, validate_country
from kopa.core.i18n import TranslatedField


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
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
    action_code = models.CharField(_("action"), max_length=40, blank=True)
    action_name = TranslatedField(_("action name"), max_length=200, blank=True)
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
    place = models.CharField(_("place"), max_length=200, blank=True)
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

    def local_start(self) -> dt.datetime | None:
        if self.starts_at is None:
            return None
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone))

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
