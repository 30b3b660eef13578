"""Load the Kopā tālāk project, and fictional demo data, from the JSON files in ``seed/``.

``seed_project()`` loads the project exactly as the source document describes it;
``seed_demo()`` adds made-up organisations, people and upcoming activities to try the site with.

Records are matched by natural keys (slug, code, e-mail, project and position, …) and saved only
when a value differs, so a second load changes nothing and a corrected seed file is applied in
place. The seed never deletes: records the files no longer mention are left to the admins.

Some fields are set only when a record is created, because from then on people own them
(``make run`` seeds on every start, so a re-seed must never undo their work):

- ``Activity.status``: the document's checklist is unticked, so activities start as planned;
  coordinators then open, hold or cancel them.
- ``Organisation.description``: each organisation's coordinators edit their own profile. The
  real libraries' contact details are not in the document, so the files leave them out and the
  seed never touches them.
- A demo person's password, so that a demo visitor who changed it keeps it.
- The demo dates, which are relative to the day of the first load: moving them on every later
  load would shift the demo under the people trying it, and every day's load would be an update.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from kopa.accounts.models import Membership, Organisation, User
from kopa.circle.services import taxonomy_load
from kopa.core.audit import audit_log
from kopa.core.i18n import language_codes, raw_translations
from kopa.core.models import PrivacyNotice
from kopa.programme.models import (
    Activity,
    ActivityKind,
    Priority,
    Project,
    ProjectPartner,
    TargetGroup,
)

SEED_DIR = Path(__file__).resolve().parent / "seed"
PROJECT_FILE = SEED_DIR / "project.json"
PRIVACY_FILE = SEED_DIR / "privacy.json"
DEMO_FILE = SEED_DIR / "demo.json"

# Published on purpose: the demo accounts exist so that anyone can try the site, and the
# command prints it. Demo data therefore never belongs on a site where real people work.
DEMO_PASSWORD = "kopa-demo"  # noqa: S105
# .invalid can never be a real mail domain (RFC 2606), so no mail to a demo person reaches anyone.
DEMO_EMAIL_DOMAIN = "demo.kopa.invalid"

ModelT = TypeVar("ModelT", bound=models.Model)


class SeedError(Exception):
    """A seed file is missing or malformed; the message is one line, fit for the command."""


@dataclass
class SeedReport:
    """How many records one load created, updated and found already as the file describes."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}

    def __str__(self) -> str:
        return (
            f"{self.label}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


def seed_project(*, path: Path | None = None) -> SeedReport:
    """Create or update the Kopā tālāk project, its partners, priorities and activities."""
    path = path or PROJECT_FILE
    data = _read(path)
    with transaction.atomic(), _reading(path):
        load = _Load(path, label=path.stem, demo=False)
        for item in data["target_groups"]:
            load.target_group(item)
        for item in data["activity_kinds"]:
            load.activity_kind(item)
        for item in data["organisations"]:
            load.organisation(item)
        load.privacy_notice(_read(PRIVACY_FILE))
        # The support circle's categories: audited on their own (circle.taxonomy.loaded),
        # outside this report's counts.
        taxonomy_load()
        item = data["project"]
        dates = {"start_date": _date(item["start_date"]), "end_date": _date(item["end_date"])}
        project = load.project(item, dates=dates, dates_on_create_only=False)
        for activity in item["activities"]:
            plan = {
                "planned_start": _date(activity["planned_start"]),
                "planned_end": _date(activity["planned_end"]),
                "planned_precision": activity["planned_precision"],
            }
            load.activity(activity, project=project, dates=plan, dates_on_create_only=False)
        names = raw_translations(project.name)
        load.report.label = names.get(project.original_language) or project.slug
        if load.report.changed:
            audit_log(action="site.seed.loaded", target=project, data=load.report.counts())
    return load.report


def seed_demo(*, now: dt.datetime | None = None, path: Path | None = None) -> SeedReport:
    """Add the fictional demo organisations, people, project and upcoming activities.

    Needs the project loaded first (its libraries, target groups and kinds of activity). Dates
    count from `now`, but only for records this load creates: see the module docstring.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("seed_demo() needs a timezone-aware `now`")
    path = path or DEMO_FILE
    data = _read(path)
    with transaction.atomic(), _reading(path):
        load = _Load(path, label="Demo data", demo=True)
        for item in data["organisations"]:
            load.organisation(item)
        for item in data["users"]:
            load.demo_user(item)
        item = data["project"]
        today = timezone.localdate(now)
        period = {
            "start_date": today,
            "end_date": today + dt.timedelta(days=int(item["period_days"])),
        }
        project = load.project(item, dates=period, dates_on_create_only=True)
        for activity in item["activities"]:
            timing = _demo_timing(activity, now=now)
            load.activity(activity, project=project, dates=timing, dates_on_create_only=True)
        if load.report.changed:
            audit_log(action="site.seed.demo_loaded", target=project, data=load.report.counts())
    return load.report


class _Load:
    """One load of one file: the report it fills and the records it has looked up by code."""

    def __init__(self, path: Path, *, label: str, demo: bool) -> None:
        self.path = path
        self.demo = demo
        self.report = SeedReport(label=label)
        self.organisations: dict[str, Organisation] = {}
        self.target_groups: dict[str, TargetGroup] = {}
        self.kinds: dict[str, ActivityKind] = {}

    def target_group(self, item: Mapping[str, Any]) -> TargetGroup:
        group = self.sync(
            TargetGroup,
            key={"code": item["code"]},
            values={
                "name": self.translations(item["name"], required=True),
                "original_language": item["original_language"],
                "position": int(item["position"]),
            },
        )
        self.target_groups[group.code] = group
        return group

    def activity_kind(self, item: Mapping[str, Any]) -> ActivityKind:
        kind = self.sync(
            ActivityKind,
            key={"code": item["code"]},
            values={
                "name": self.translations(item["name"], required=True),
                "original_language": item["original_language"],
                "position": int(item["position"]),
            },
        )
        self.kinds[kind.code] = kind
        return kind

    def organisation(self, item: Mapping[str, Any]) -> Organisation:
        values: dict[str, Any] = {
            "name": self.translations(item["name"], required=True),
            "original_language": item["original_language"],
            "kind": item["kind"],
            "country": item["country"],
            "region": item.get("region", ""),
            "is_demo": self.demo,
        }
        # Only contact details a file states are kept in sync; the others belong to the
        # organisation's coordinators.
        for name in ("address", "email", "phone", "website"):
            if name in item:
                values[name] = item[name]
        if (
            self.demo
            and values.get("email")
            and not values["email"].endswith(f"@{DEMO_EMAIL_DOMAIN}")
        ):
            raise SeedError(f"{self.path}: demo e-mail addresses must end in @{DEMO_EMAIL_DOMAIN}")
        organisation = self.sync(
            Organisation,
            key={"slug": item["slug"]},
            values=values,
            initial={"description": self.translations(item.get("description", {}))},
        )
        self.organisations[organisation.slug] = organisation
        return organisation

    def demo_user(self, item: Mapping[str, Any]) -> User:
        email = str(item["email"]).strip().lower()
        if not email.endswith(f"@{DEMO_EMAIL_DOMAIN}"):
            # A typo here would hand a published password to a real mailbox's owner.
            raise SeedError(f"{self.path}: demo e-mail addresses must end in @{DEMO_EMAIL_DOMAIN}")
        user = self.sync(
            User,
            key={"email": email},
            values={
                "full_name": item["full_name"],
                "preferred_language": item["preferred_language"],
                "is_project_admin": bool(item.get("is_project_admin", False)),
            },
            on_create=lambda new: new.set_password(DEMO_PASSWORD),
        )
        for membership in item.get("memberships", []):
            self.sync(
                Membership,
                key={
                    "user": user,
                    "organisation": self.organisation_by_slug(membership["organisation"]),
                },
                values={"role": membership["role"]},
            )
        return user

    def project(
        self, item: Mapping[str, Any], *, dates: dict[str, Any], dates_on_create_only: bool
    ) -> Project:
        proposer = item.get("proposer")
        values: dict[str, Any] = {
            "name": self.translations(item["name"], required=True),
            "original_language": item["original_language"],
            "summary": self.translations(item.get("summary", {})),
            "goal": self.translations(item.get("goal", {})),
            "task": self.translations(item.get("task", {})),
            "funding_programme": item["funding_programme"],
            "action_code": item.get("action_code", ""),
            "action_name": self.translations(item.get("action_name", {})),
            "funding_statement": self.translations(item.get("funding_statement", {})),
            "call_year": item.get("call_year"),
            "currency": item["currency"],
            "total_cost": _money(item["total_cost"]),
            "external_cofinancing": _money(item["external_cofinancing"]),
            "municipal_cofinancing": _money(item["municipal_cofinancing"]),
            "proposer": self.organisation_by_slug(proposer) if proposer else None,
            "is_demo": self.demo,
        }
        project = self.sync(
            Project,
            key={"slug": item["slug"]},
            values=values if dates_on_create_only else {**values, **dates},
            initial=dates if dates_on_create_only else None,
            related={
                "target_groups": [self.target_group_by_code(c) for c in item["target_groups"]]
            },
        )
        for partner in item["partners"]:
            self.sync(
                ProjectPartner,
                key={
                    "project": project,
                    "organisation": self.organisation_by_slug(partner["organisation"]),
                },
                values={"role": partner["role"]},
            )
        for priority in item.get("priorities", []):
            self.sync(
                Priority,
                key={"project": project, "position": int(priority["position"])},
                values={
                    "text": self.translations(priority["text"], required=True),
                    "original_language": priority["original_language"],
                },
            )
        return project

    def activity(
        self,
        item: Mapping[str, Any],
        *,
        project: Project,
        dates: dict[str, Any],
        dates_on_create_only: bool,
    ) -> Activity:
        values: dict[str, Any] = {
            "project": project,
            "kind": self.kind_by_code(item["kind"]),
            "position": int(item["position"]),
            "original_language": item["original_language"],
            "title": self.translations(item["title"], required=True),
            "theme": self.translations(item.get("theme", {})),
            "purpose": self.translations(item.get("purpose", {})),
            "country": item["country"],
            "venue": self.translations(item.get("venue", {})),
            "time_zone": item["time_zone"],
            "is_demo": self.demo,
        }
        initial = {"status": item["status"]}
        if dates_on_create_only:
            initial.update(dates)
        else:
            values.update(dates)
        return self.sync(
            Activity,
            key={"slug": item["slug"]},
            values=values,
            initial=initial,
            related={
                "organisers": [self.organisation_by_slug(s) for s in item["organisers"]],
                "target_groups": [self.target_group_by_code(c) for c in item["target_groups"]],
            },
        )

    def organisation_by_slug(self, slug: str) -> Organisation:
        return self.find(Organisation, "slug", slug, self.organisations)

    def target_group_by_code(self, code: str) -> TargetGroup:
        return self.find(TargetGroup, "code", code, self.target_groups)

    def kind_by_code(self, code: str) -> ActivityKind:
        return self.find(ActivityKind, "code", code, self.kinds)

    def find(self, model: type[ModelT], field: str, code: str, known: dict[str, ModelT]) -> ModelT:
        """A record the file refers to: loaded by this file, or already in the database."""
        if code not in known:
            record = model._default_manager.filter(**{field: code}).first()
            if record is None:
                hint = " (load the project first: kopa seed)" if self.demo else ""
                raise SeedError(f"{self.path}: no {model._meta.verbose_name} {code!r}{hint}")
            known[code] = record
        return known[code]

    def translations(self, value: Any, *, required: bool = False) -> dict[str, str]:
        """{language: text}, either empty or complete: a seeded text exists in every language."""
        if not isinstance(value, Mapping) or any(
            not isinstance(text, str) for text in value.values()
        ):
            raise SeedError(f"{self.path}: a translated text must be {{language: text}}: {value!r}")
        texts = {code: text.strip() for code, text in value.items() if text.strip()}
        missing = [code for code in language_codes() if code not in texts]
        if (texts or required) and missing:
            raise SeedError(
                f"{self.path}: text {_excerpt(texts)} lacks languages: {', '.join(missing)}"
            )
        return texts

    def privacy_notice(self, item: Mapping[str, Any]) -> PrivacyNotice:
        """The first privacy notice; later versions are published by the admins, not the seed."""
        return self.sync(
            PrivacyNotice,
            key={"version": int(item["version"])},
            values={
                "text": self.translations(item["text"], required=True),
                "original_language": item["original_language"],
            },
            initial={"published_at": dt.datetime.fromisoformat(item["published_at"])},
        )

    def sync(
        self,
        model: type[ModelT],
        *,
        key: dict[str, Any],
        values: dict[str, Any],
        initial: dict[str, Any] | None = None,
        related: dict[str, Iterable[models.Model]] | None = None,
        on_create: Callable[[ModelT], None] | None = None,
    ) -> ModelT:
        """Create the record `key` names, or bring `values` and `related` up to date; count it.

        `initial` and `on_create` apply only to a new record (see the module docstring).
        """
        wanted = {name: list(records) for name, records in (related or {}).items()}
        record = model._default_manager.filter(**key).first()
        if record is None:
            record = model(**key, **values, **(initial or {}))
            if on_create is not None:
                on_create(record)
            self.validate(record, key)
            record.save()
            for name, records in wanted.items():
                getattr(record, name).set(records)
            self.report.created += 1
            return record

        changed = [name for name, value in values.items() if not _same(record, name, value)]
        relinked = [
            name
            for name, records in wanted.items()
            if {r.pk for r in getattr(record, name).all()} != {r.pk for r in records}
        ]
        if not changed and not relinked:
            self.report.unchanged += 1
            return record
        for name in changed:
            setattr(record, name, values[name])
        if isinstance(record, Organisation):
            # Optimistic locking: an edit form opened before this load must not overwrite it.
            record.version += 1
        self.validate(record, key)
        # Saved also when only links changed, so that `updated` says when the record changed.
        record.save()
        for name in relinked:
            getattr(record, name).set(wanted[name])
        self.report.updated += 1
        return record

    def validate(self, record: models.Model, key: Mapping[str, Any]) -> None:
        try:
            record.full_clean()
        except ValidationError as error:
            problems = (
                "; ".join(
                    f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
                )
                if hasattr(error, "error_dict")
                else "; ".join(error.messages)
            )
            names = ", ".join(f"{name}={_natural(value)}" for name, value in key.items())
            raise SeedError(
                f"{self.path}: {record._meta.verbose_name} {names}: {problems}"
            ) from error


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise SeedError(f"seed file not found: {path}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise SeedError(f"cannot read seed file {path}: {error}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SeedError(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from error
    if not isinstance(data, dict):
        raise SeedError(f"{path}: expected a JSON object at the top level")
    return data


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn a missing or wrongly typed entry anywhere in the file into one clear SeedError."""
    try:
        yield
    except KeyError as error:
        raise SeedError(f"{path}: a required entry is missing: {error}") from error
    except (TypeError, ValueError, AttributeError, InvalidOperation) as error:
        raise SeedError(f"{path}: malformed entry: {error}") from error


def _demo_timing(item: Mapping[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """An evening `days_from_now` days ahead, at the local hours given, stored in UTC."""
    try:
        zone = zoneinfo.ZoneInfo(item["time_zone"])
    except zoneinfo.ZoneInfoNotFoundError as error:
        raise ValueError(f"unknown time zone {item['time_zone']!r}") from error
    day = now.astimezone(zone).date() + dt.timedelta(days=int(item["days_from_now"]))
    starts = dt.datetime.combine(day, dt.time.fromisoformat(item["local_start"]), tzinfo=zone)
    ends = dt.datetime.combine(day, dt.time.fromisoformat(item["local_end"]), tzinfo=zone)
    return {
        "planned_start": day,
        "planned_end": day,
        "planned_precision": Activity.Precision.DAY,
        "starts_at": starts.astimezone(dt.UTC),
        "ends_at": ends.astimezone(dt.UTC),
    }


def _same(record: models.Model, name: str, value: Any) -> bool:
    field = record._meta.get_field(name)
    if field.many_to_one:
        # Compare ids: no query for the related record, and no false difference between copies.
        return getattr(record, field.attname) == (value.pk if value is not None else None)
    # A translated field reads as the text in the active language: compare the stored dicts.
    # Decimal("15000.00") == Decimal("15000"), so amounts compare by value.
    return raw_translations(getattr(record, name)) == value


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _money(value: str | int) -> Decimal:
    # Strings in the file, so no amount ever passes through a binary float.
    return Decimal(str(value))


def _natural(value: Any) -> str:
    """A record by its natural key, as the seed file names it."""
    return str(getattr(value, "slug", None) or getattr(value, "email", None) or value)


def _excerpt(texts: Mapping[str, str]) -> str:
    first = next(iter(texts.values()), "")
    return repr(first[:40])
