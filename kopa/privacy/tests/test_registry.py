from __future__ import annotations

import inspect

import pytest
from django.db import transaction

from kopa.core.personal_data import RetentionRule
from kopa.privacy import registry


def test_every_listed_personal_data_module_exists():
    missing = registry.missing_providers()
    assert not missing, "personal-data modules still missing: " + ", ".join(missing)


def test_the_flows_refuse_to_run_without_a_listed_module(monkeypatch):
    monkeypatch.setattr(
        registry, "PROVIDER_MODULES", [*registry.PROVIDER_MODULES, "kopa.core.no_such_module"]
    )
    with pytest.raises(registry.ProviderMissing, match="kopa.core.no_such_module"):
        registry.providers()


def _existing() -> list[registry.Provider]:
    import importlib

    return [
        registry.Provider(importlib.import_module(name))
        for name in registry.PROVIDER_MODULES
        if name not in registry.missing_providers()
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", registry.PROVIDER_MODULES)
def test_each_module_follows_the_contract(name):
    provider = next((p for p in _existing() if p.name == name), None)
    if provider is None:
        pytest.fail(f"{name} does not exist yet")
    for function in ("personal_data", "erase_personal_data"):
        parameters = inspect.signature(getattr(provider.module, function)).parameters
        assert set(parameters) == {"email", "user"}, (name, function)
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters.values()), (name, function)
    held = provider.personal_data(email="nobody@example.org", user=None)
    assert isinstance(held, dict) and not any(held.values()), held
    with transaction.atomic():
        counts = provider.erase_personal_data(email="nobody@example.org", user=None)
    assert all(isinstance(count, int) and count == 0 for count in counts.values()), counts
    for rule in provider.retention_rules():
        assert isinstance(rule, RetentionRule)
        assert rule.kind.split(".")[0] == provider.app_label
        assert rule.effect in {"removed", "anonymised"}


def test_programme_core_and_accounts_are_erased_last(monkeypatch):
    existing = [
        name for name in registry.PROVIDER_MODULES if name not in registry.missing_providers()
    ]
    monkeypatch.setattr(registry, "PROVIDER_MODULES", existing)
    order = [provider.name for provider in registry.erasure_order()]
    assert sorted(order) == sorted(existing)
    assert order[-3:] == [
        "kopa.programme.personal_data",
        "kopa.core.personal_data",
        "kopa.accounts.personal_data",
    ]
