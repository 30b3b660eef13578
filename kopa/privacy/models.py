from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataRequest(models.Model):
    """Someone asked to see (and perhaps erase) what the platform holds on an email address.

    The link mailed to that address carries `public_id` signed with the secret key, so a copy of
    the database alone opens nothing. The row is kept only as long as the link is of use
    (retention kind `privacy.requests`); after an erasure its address is scrubbed at once.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), blank=True, db_index=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    created = models.DateTimeField(_("asked"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("link valid until"))
    opened_at = models.DateTimeField(_("link opened"), null=True, blank=True)
    erased_at = models.DateTimeField(_("data erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for personal data")
        verbose_name_plural = _("requests for personal data")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.public_id} · {self.created:%Y-%m-%d %H:%M}"
