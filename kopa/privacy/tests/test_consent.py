"""Every consent the platform records says which version of the privacy notice it agreed to."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from kopa.core.models import PrivacyNotice


def _records_consent(model: type[models.Model]) -> bool:
    """A model records a consent when it is one (its name says so) or when it keeps the moment
    one was given (a date field named for it)."""
    if "consent" in model.__name__.lower():
        return True
    return any(
        isinstance(field, models.DateField) and "consent" in field.name
        for field in model._meta.get_fields()
    )


def _names_notice(model: type[models.Model]) -> bool:
    return any(
        isinstance(field, models.ForeignKey) and field.related_model is PrivacyNotice
        for field in model._meta.get_fields()
    )


def test_every_consent_records_the_privacy_notice_version():
    consents = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("kopa.") and _records_consent(model)
    ]
    assert any(model._meta.label == "programme.Registration" for model in consents)
    without = [model._meta.label for model in consents if not _names_notice(model)]
    assert not without, f"consents without the notice's version: {without}"
