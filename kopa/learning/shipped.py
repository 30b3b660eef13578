"""The questionnaire templates shipped with the platform (data/questionnaires.json).

Loaded by migration 0002 on every fresh database, and again by `kopa seed --demo`, so a
corrected data file is applied in place. Matched by code; a question the file no longer lists
is kept (answers point at it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "questionnaires.json"


def load_shipped_templates(template_model: Any, question_model: Any) -> tuple[int, int]:
    """Create or update the shipped templates; returns (created, updated) records.

    Takes the model classes so the migration can pass its historical models.
    """
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    created = updated = 0
    for item in data["templates"]:
        values = {
            "kind": item["kind"],
            "title": item["title"],
            "intro": item.get("intro", {}),
            "original_language": "en",
            "asks_code": bool(item.get("asks_code", False)),
            "is_shipped": True,
        }
        template, was_created = template_model.objects.get_or_create(
            code=item["code"], defaults=values
        )
        created += was_created
        if not was_created and _differs(template, values):
            template_model.objects.filter(pk=template.pk).update(**values)
            updated += 1
        for position, question in enumerate(item["questions"], start=1):
            values = {
                "position": position,
                "kind": question["kind"],
                "domain": question.get("domain", ""),
                "text": question["text"],
                "choices": question.get("choices", {}),
                "scale_max": int(question.get("scale_max", 5)),
                "required": bool(question.get("required", False)),
                "original_language": "en",
            }
            record, was_created = question_model.objects.get_or_create(
                template=template, code=question["code"], defaults=values
            )
            created += was_created
            if not was_created and _differs(record, values):
                question_model.objects.filter(pk=record.pk).update(**values)
                updated += 1
    return created, updated


def _differs(record: Any, values: dict[str, Any]) -> bool:
    # Translated fields read as text; the stored dict sits in __dict__.
    return any(record.__dict__.get(name) != value for name, value in values.items())
