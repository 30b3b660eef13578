"""The grant behind a project and what the funder's report needs beyond the programme's data.

Everything a report counts (activities, attendance, photos, materials, stories, the support circle)
is read from the domains that hold it; only what no other domain knows is stored here: the grant
agreement, how the lump sum is allocated, the dissemination log, the coordinators' notes on
activities that changed or did not happen, and the frozen snapshots of submitted reports.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kopa.accounts.models import Organisation
from kopa.programme.models import Activity, Project


class Grant(models.Model):
    """The grant agreement of one project: the figures the funder judges the report against."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="grant"
    )
    programme = models.CharField(_("grant programme"), max_length=120)
    action = models.CharField(_("key action"), max_length=60, blank=True)
    call_year = models.PositiveSmallIntegerField(_("call year"), null=True, blank=True)
    agreement_number = models.CharField(_("grant agreement number"), max_length=80, blank=True)
    national_agency = models.CharField(_("national agency"), max_length=200, blank=True)
    start_date = models.DateField(_("period from"))
    end_date = models.DateField(_("period until"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    lump_sum = models.DecimalField(
        _("lump sum"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    external_cofinancing = models.DecimalField(
        _("external co-financing"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    municipal_contribution = models.DecimalField(
        _("municipal contribution"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Optimistic locking: two coordinators editing the grant record at once.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="grant_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.action} · {self.project}".strip()


class Allocation(models.Model):
    """A share of the lump sum given to a partner, for one activity or for the partner's
    general costs (project management, dissemination). The shares never add up to more than the
    lump sum (kopa.reporting.services)."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="allocations")
    partner = models.ForeignKey(
        Organisation, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the partner's costs that belong to no single activity."),
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    purpose = models.CharField(_("what it pays for"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["grant", "partner__slug", "activity__planned_start", "id"]

    def __str__(self) -> str:
        return f"{self.partner} · {self.amount}"


class DisseminationEntry(models.Model):
    """An event, publication, media appearance or social media post that spread the results."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        PUBLICATION = "publication", _("Publication")
        MEDIA = "media", _("Media")
        SOCIAL = "social", _("Social media")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="dissemination")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(
        _("language of the title"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    reach = models.PositiveIntegerField(
        _("reach"),
        null=True,
        blank=True,
        help_text=_("People reached, as far as it is known: attendance, copies, views."),
    )
    eu_visibility = models.BooleanField(
        _("EU visibility rules applied (emblem and funding statement)"), default=False
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dissemination entry")
        verbose_name_plural = _("dissemination log")
        ordering = ["grant", "date", "id"]

    def __str__(self) -> str:
        return self.title


class ActivityNote(models.Model):
    """Why a planned activity changed or did not take place, for the plan-versus-reality table."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="report_note")
    changed = models.BooleanField(_("held, but not as planned"), default=False)
    justification = models.TextField(_("justification"), max_length=2000, blank=True)
    language = models.CharField(
        _("language of the justification"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("note on an activity")
        verbose_name_plural = _("notes on activities")

    def __str__(self) -> str:
        return str(self.activity)


class FrozenReport(models.Model):
    """A report as it was submitted: its aggregate figures only, rendered in every language.

    `data` holds no personal data (no names, no e-mail addresses, no figure about fewer than
    MIN_GROUP_SIZE people), so erasing a person later leaves the submitted report as it was.
    """

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="frozen_reports")
    report = models.CharField(_("report"), max_length=60)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    frozen_at = models.DateTimeField(_("frozen"), default=timezone.now)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("frozen report")
        verbose_name_plural = _("frozen reports")
        ordering = ["grant", "-frozen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} {self.period_start}–{self.period_end}"
