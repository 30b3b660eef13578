"""The migrations apply on a populated database of the previous release without losing anything.

The test database is taken back to the migrations of the previous release (commit b7b2d4e),
every table that release had is filled through the historical models (values of every field,
foreign keys and many-to-many links included), the database is migrated to the latest
migrations, and every row must still be there with every value it had.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import pytest
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

# Each app's latest migration at the previous release (git b7b2d4e). Apps that had none then
# (stories, learning, reporting, privacy, site) start from nothing.
PREVIOUS_RELEASE = {
    "accounts": "0001_initial",
    "circle": "0001_initial",
    "core": "0002_search",
    "programme": "0002_activityphoto",
}
KOPA_APPS = {"accounts", "circle", "core", "programme", "stories", "learning", "reporting"}
KOPA_APPS |= {"privacy", "site"}
ROWS_PER_TABLE = 2
# Columns a later migration removes on purpose, "app.model.field": the reason. None so far.
DROPPED_ON_PURPOSE: dict[str, str] = {}

WHEN = dt.datetime(2026, 5, 14, 17, 30, 15, 123456, tzinfo=dt.UTC)


def executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


def previous_targets(graph) -> list[tuple[str, str | None]]:
    targets: list[tuple[str, str | None]] = []
    for app_label in sorted({app for app, _name in graph.nodes}):
        if app_label in PREVIOUS_RELEASE:
            targets.append((app_label, PREVIOUS_RELEASE[app_label]))
        elif app_label in KOPA_APPS:
            targets.append((app_label, None))  # the app had no tables yet
        else:  # Django's own apps: the same Django then and now
            targets.extend(graph.leaf_nodes(app_label))
    return targets


def value_for(field: models.Field, model: type[models.Model], row: int) -> Any:
    """A value that fits the field and differs between rows and fields."""
    label = f"{model._meta.model_name}.{field.name} {row}"
    if field.choices:
        choices = [value for value, _label in field.flatchoices]
        return choices[row % len(choices)]
    if isinstance(field, models.UUIDField):
        return uuid.uuid5(uuid.NAMESPACE_URL, label)
    if isinstance(field, models.EmailField):
        return f"{model._meta.model_name}{row}.{field.name}@demo.kopa.invalid"
    if isinstance(field, models.SlugField):
        return f"{model._meta.model_name}-{field.name}-{row}"[: field.max_length]
    if isinstance(field, models.URLField):
        return f"https://example.invalid/{model._meta.model_name}/{row}"
    if isinstance(field, models.GenericIPAddressField):
        return f"192.0.2.{row + 1}"
    if isinstance(field, models.JSONField):
        if type(field).__name__ == "TranslatedField":
            return {"lv": f"{label} ā", "uk": f"{label} ї"}
        return {"kept": label, "n": row, "list": [1, 2.5, None]}
    if isinstance(field, models.CharField | models.TextField):
        return f"{label} ā ї"[: field.max_length or None]
    if isinstance(field, models.BooleanField):
        return row % 2 == 0
    if isinstance(field, models.DecimalField):
        whole = 10 ** (field.max_digits - field.decimal_places - 1)
        return decimal.Decimal(whole + row) / 10 if whole >= 1 else decimal.Decimal(0)
    if isinstance(field, models.FloatField):
        return 1.25 + row
    if isinstance(field, models.IntegerField):  # includes the small, big and positive kinds
        return 3 + row
    if isinstance(field, models.DateTimeField):
        return WHEN + dt.timedelta(days=row)
    if isinstance(field, models.DateField):
        return (WHEN + dt.timedelta(days=row)).date()
    if isinstance(field, models.TimeField):
        return dt.time(9, 30 + row)
    if isinstance(field, models.DurationField):
        return dt.timedelta(hours=1 + row)
    if isinstance(field, models.BinaryField):
        return bytes([row, 0, 255]) * 4
    if isinstance(field, models.FileField):
        return f"uploads/{model._meta.model_name}-{row}.bin"
    raise AssertionError(f"no test value for {model._meta.label}.{field.name} ({type(field)})")


def fill(historical_apps) -> dict[str, int]:
    """ROWS_PER_TABLE rows in every table of the old release's apps, parents first."""
    pending = [
        model
        for model in historical_apps.get_models()
        if model._meta.app_label in KOPA_APPS
        or model._meta.label_lower in {"auth.group", "sessions.session"}
    ]
    made: dict[str, list[models.Model]] = {}
    while pending:
        waiting = {m._meta.label_lower for m in pending}
        ready = [
            model
            for model in pending
            if all(
                field.related_model._meta.label_lower in made
                or field.related_model is model
                or field.related_model._meta.label_lower not in waiting
                for field in model._meta.concrete_fields
                if field.is_relation
            )
        ]
        assert ready, f"a cycle of foreign keys among {[m._meta.label for m in pending]}"
        for model in ready:
            made[model._meta.label_lower] = [
                create_row(historical_apps, model, row, made) for row in range(ROWS_PER_TABLE)
            ]
            pending.remove(model)
    return {label: len(rows) for label, rows in made.items()}


def create_row(historical_apps, model, row: int, made: dict[str, list[models.Model]]):
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        if field.is_relation:
            targets = made.get(field.related_model._meta.label_lower)
            if not targets:  # a row of its own model, or a table outside the kopa apps
                target = field.related_model._base_manager.first()
                if target is None:
                    assert field.null, f"{model._meta.label}.{field.name} needs a row to point at"
                    values[field.attname] = None
                    continue
            else:
                target = targets[row % len(targets)]
            values[field.attname] = target.pk
            continue
        values[field.attname] = value_for(field, model, row)
    instance = model._base_manager.create(**values)
    for field in model._meta.local_many_to_many:
        targets = made.get(field.related_model._meta.label_lower) or list(
            field.related_model._base_manager.all()[:2]
        )
        getattr(instance, field.name).set(targets)
    return instance


def read_all(historical_apps, labels) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row of the named tables (and their many-to-many tables), by primary key."""
    rows = {}
    for model in historical_apps.get_models(include_auto_created=True):
        if model._meta.label_lower not in labels:
            continue
        rows[model._meta.label_lower] = {
            values["pk"]: values
            for values in model._base_manager.values(
                "pk", *(field.attname for field in model._meta.concrete_fields)
            )
        }
    return rows


@pytest.mark.django_db(transaction=True)
def test_every_row_of_the_previous_release_survives_the_migrations():
    graph = executor().loader.graph
    app_labels = sorted({app for app, _name in graph.nodes})
    latest = [node for app in app_labels for node in graph.leaf_nodes(app)]
    old = previous_targets(graph)
    try:
        migrator = executor()
        migrator.migrate(old)
        old_state = executor().loader.project_state([t for t in old if t[1] is not None])
        assert {m._meta.label_lower for m in old_state.apps.get_models()} >= {
            "accounts.user",
            "circle.service",
            "programme.registration",
            "core.searchdocument",
        }
        counts = fill(old_state.apps)
        labels = {
            model._meta.label_lower
            for model in old_state.apps.get_models(include_auto_created=True)
            if model._meta.app_label in KOPA_APPS
        }
        before = read_all(old_state.apps, labels)

        executor().migrate(latest)
        new_apps = executor().loader.project_state(latest).apps
        new_labels = {m._meta.label_lower for m in new_apps.get_models(include_auto_created=True)}
        missing_tables = sorted(labels - new_labels)
        assert not missing_tables, f"tables gone after the upgrade: {missing_tables}"
        after = read_all(new_apps, labels)
    finally:
        executor().migrate(latest)  # leave the database as the other tests expect it

    lost = []
    for label, rows in before.items():
        for pk, values in rows.items():
            now = after[label].get(pk)
            if now is None:
                lost.append(f"{label} {pk}: the row is gone")
                continue
            for column, value in values.items():
                if column not in now:
                    if f"{label}.{column}" not in DROPPED_ON_PURPOSE:
                        lost.append(f"{label}.{column}: the column is gone")
                elif now[column] != value:
                    lost.append(f"{label} {pk}.{column}: {value!r} became {now[column]!r}")
    assert not lost, "\n".join(lost[:20])
    filled = sum(counts.values())
    print(
        f"\nupgrade from b7b2d4e on {connection.vendor}: {filled} rows in {len(counts)} tables "
        f"filled through the historical models, {sum(map(len, before.values()))} rows checked "
        "after migrating to the latest"
    )
    assert len(counts) >= 25
