"""Directory records for tests, built as HSDS records and imported the way a feed would be."""

from __future__ import annotations

import copy
import itertools
import uuid
from typing import Any

from kopa.circle.models import Service
from kopa.circle.services import service_import, taxonomy_load

_sequence = itertools.count(1)

LEGAL_AID = "5e2a3afe-e3a7-411d-b01b-d468a4323054"
HOUSING = "3e22e03c-e118-4927-b175-e6d06653717c"
NIGHT_SHELTER = "0b8e3f52-6c1d-4a5e-9f27-3d4c8a1b6e90"
EMERGENCY = "9139ba00-3bac-482c-8e28-0b9557f594d7"
PLATFORM_TAXONOMY = "0df0fc4a-b216-4b1c-a1ad-7b51fc3e6214"

# Valmiera (LV) and Tartu (EE) town centres.
VALMIERA = (57.5386, 25.4263)
TARTU = (58.3780, 26.7290)


def new_id() -> str:
    return str(uuid.uuid4())


def service_record(
    *,
    name: str = "Jurista konsultācijas bibliotēkā",
    description: str = "Bezmaksas jurista konsultācijas katru otrdienu bibliotēkā.",
    country: str = "LV",
    city: str = "Valmiera",
    position: tuple[float, float] = VALMIERA,
    terms: list[str] | None = None,
    schedules: list[dict[str, Any]] | None = None,
    organization: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A nested HSDS 3.0 service (Latvian by default) at one location, with one phone."""
    number = next(_sequence)
    service_id = fields.pop("id", new_id())
    location_id = new_id()
    record: dict[str, Any] = {
        "id": service_id,
        "name": name,
        "description": description,
        "status": "active",
        "organization": organization
        or {
            "id": new_id(),
            "name": f"Biedrība “Palīdzība {number}”",
            "description": "Biedrība, kas palīdz bēgļiem Vidzemē.",
        },
        "service_at_locations": [
            {
                "id": new_id(),
                "service_id": service_id,
                "location_id": location_id,
                "location": {
                    "id": location_id,
                    "location_type": "physical",
                    "name": "Bibliotēkas lasītava",
                    "latitude": position[0],
                    "longitude": position[1],
                    "addresses": [
                        {
                            "id": new_id(),
                            "address_1": "Lāčplēša iela 5",
                            "city": city,
                            "state_province": "",
                            "postal_code": "LV-4201" if country == "LV" else "50090",
                            "country": country,
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "phones": [{"id": new_id(), "number": "+371 2000 0000", "type": "voice"}],
        "languages": [{"id": new_id(), "name": "latviešu", "code": "lv"}],
        "schedules": schedules
        if schedules is not None
        else [
            {
                "id": new_id(),
                "freq": "WEEKLY",
                "byday": "TU",
                "opens_at": "10:00",
                "closes_at": "14:00",
                "description": "Otrdienās no 10:00 līdz 14:00.",
            }
        ],
        "attributes": [
            {
                "id": new_id(),
                "link_id": service_id,
                "link_type": "category",
                "link_entity": "service",
                "taxonomy_term_id": term,
            }
            for term in (terms if terms is not None else [LEGAL_AID])
        ],
    }
    record.update(fields)
    return record


def make_service(**options: Any) -> Service:
    """Import a service_record(); the platform's taxonomy is loaded first if it is not there."""
    taxonomy_load()
    record = service_record(**options)
    outcome = service_import(record=copy.deepcopy(record))
    return Service.objects.get(pk=outcome.service_id)
