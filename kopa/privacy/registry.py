"""The apps that hold personal data, each through its `personal_data` module.

Every module in PROVIDER_MODULES has `personal_data(*, email, user)` and
`erase_personal_data(*, email, user)`, and may have `retention_rules()` (docs/privacy.md).
They are imported when first needed, not at start-up: privacy sits above every domain, and a
domain that breaks its module must break the privacy tests, not the whole site.

A module that is listed but missing is an error, never skipped: an erasure that silently leaves
one domain's data behind would be worse than one that refuses to run.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

PROVIDER_MODULES: list[str] = [
    "kopa.accounts.personal_data",
    "kopa.programme.personal_data",
    "kopa.core.personal_data",
    "kopa.circle.personal_data",
    "kopa.stories.personal_data",
    "kopa.learning.personal_data",
    "kopa.reporting.personal_data",
    "kopa.privacy.personal_data",
]

# Erased last, in this order: stories and learning find the person's registrations by address
# before programme overwrites it; every domain may still look the account up by its address, and
# core scrubs the account's name and address out of audit details before accounts replaces them.
ERASED_LAST = [
    "kopa.programme.personal_data",
    "kopa.core.personal_data",
    "kopa.accounts.personal_data",
]


class ProviderMissing(ImproperlyConfigured):
    """A listed personal-data module cannot be imported."""


@dataclass(frozen=True)
class Provider:
    module: ModuleType

    @property
    def name(self) -> str:
        return self.module.__name__

    @property
    def app_label(self) -> str:
        return self.name.split(".")[1]

    @property
    def title(self) -> Any:
        """The app's name in the active language (its AppConfig.verbose_name)."""
        config = apps.get_containing_app_config(self.name)
        return config.verbose_name if config is not None else self.app_label

    def personal_data(self, *, email: str, user: Any) -> dict[Any, list[dict]]:
        return self.module.personal_data(email=email, user=user)

    def erase_personal_data(self, *, email: str, user: Any) -> dict[str, int]:
        return self.module.erase_personal_data(email=email, user=user)

    def retention_rules(self) -> list[Any]:
        rules = getattr(self.module, "retention_rules", None)
        return list(rules()) if rules is not None else []


def missing_providers() -> list[str]:
    """The listed modules that do not exist (yet)."""
    missing = []
    for name in PROVIDER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is None or not name.startswith(error.name):
                raise  # the module exists but imports something missing: a real bug
            missing.append(name)
    return missing


def providers() -> list[Provider]:
    """Every provider, in the order their data is shown."""
    if missing := missing_providers():
        raise ProviderMissing(
            "personal-data modules listed in kopa.privacy.registry are missing: "
            + ", ".join(missing)
        )
    return [Provider(importlib.import_module(name)) for name in PROVIDER_MODULES]


def erasure_order() -> list[Provider]:
    found = providers()
    last = [provider for name in ERASED_LAST for provider in found if provider.name == name]
    return [provider for provider in found if provider not in last] + last
