"""Request/response examples for the OpenAPI document, stored as real API outputs.

Each ``<name>.json`` here holds one exchange (``summary``, ``method``, ``path``, ``request``,
``response``) recorded from the running app by ``python -m api.examples``; routes attach them
with :func:`response_examples` and :func:`request_examples`. Recording needs the reader
(seconds), so it happens once, not when the app starts; ``tests/api/test_api_openapi.py``
re-records them and fails when the stored ones no longer validate or name stale versions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from fastapi.openapi.models import Example
from pydantic import BaseModel

from api.cds.discovery import SERVICE_ID
from api.cds.wire import OVERRIDE_SYSTEM, CdsResponse, FeedbackPublic
from api.fhir import document_reference
from api.schemas import (
    EXAMPLE_NOTE,
    CheckBatchPublic,
    ChecklistsPublic,
    CheckPublic,
    ExtractPublic,
)
from assistant.checks.schema import Checklist
from assistant.preauth import Packet

# A second hand-written, PHI-free note for the batch and the hook examples.
EXAMPLE_NOTE_TPI = (
    "PROCEDURE: Trigger point injections, left upper trapezius, 3 muscles.\n"
    "Verbal consent obtained. Taut bands with twitch response were palpated.\n"
    "1% lidocaine 2 mL injected at each point. No complications."
)
SOPT = "https://nahdo.org/sopt"


@dataclass(frozen=True)
class ExampleSpec:
    """One exchange to record: the request sent and the model its response must fit."""

    name: str
    summary: str
    method: Literal["GET", "POST"]
    path: str
    request: dict[str, Any] | None
    response_model: type[BaseModel]


def _coverage(code: str, display: str) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "resource": {
                    "resourceType": "Coverage",
                    "id": "coverage-1",
                    "status": "active",
                    "type": {"coding": [{"system": SOPT, "code": code}]},
                    "beneficiary": {"reference": "Patient/example"},
                    "payor": [{"display": display}],
                    "order": 1,
                }
            }
        ],
    }


def example_specs() -> list[ExampleSpec]:
    """Every recorded exchange, in the order ``python -m api.examples`` records them."""
    cds = f"/cds-services/{SERVICE_ID}"
    return [
        ExampleSpec(
            "extract",
            "Plain-text note",
            "POST",
            "/v1/extract",
            {"note": EXAMPLE_NOTE, "note_id": "example-1"},
            ExtractPublic,
        ),
        ExampleSpec(
            "check",
            "Plain-text note, Medicare, with a claim line",
            "POST",
            "/v1/checks",
            {
                "note": EXAMPLE_NOTE,
                "note_id": "example-1",
                "payer": "medicare",
                "claim": {"lines": [{"cpt": "64483", "modifiers": ["LT"], "icd10": ["M54.17"]}]},
                "store": False,
            },
            CheckPublic,
        ),
        ExampleSpec(
            "check_fhir",
            "FHIR DocumentReference, commercial payer",
            "POST",
            "/v1/checks",
            {"document_reference": document_reference(EXAMPLE_NOTE_TPI, "tpi-1")},
            CheckPublic,
        ),
        ExampleSpec(
            "check_batch",
            "Two notes, the second one empty (it fails alone)",
            "POST",
            "/v1/checks/batch",
            {
                "items": [
                    {"note": EXAMPLE_NOTE_TPI, "note_id": "a", "payer": "commercial"},
                    {"note": "   ", "note_id": "b"},
                ]
            },
            CheckBatchPublic,
        ),
        ExampleSpec(
            "checklists", "All checklists", "GET", "/v1/checklists", None, ChecklistsPublic
        ),
        ExampleSpec(
            "checklist",
            "The trigger point checklist",
            "GET",
            "/v1/checklists/trigger_point",
            None,
            Checklist,
        ),
        ExampleSpec(
            "cds_note_sign",
            "note-sign with a Medicare Coverage prefetched",
            "POST",
            cds,
            {
                "hook": "note-sign",
                "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
                "context": {
                    "userId": "Practitioner/example",
                    "patientId": "example",
                    "draftNotes": {
                        "resourceType": "Bundle",
                        "type": "collection",
                        "entry": [{"resource": document_reference(EXAMPLE_NOTE, "draft-1")}],
                    },
                },
                "prefetch": {"coverage": _coverage("121", "Medicare Part B")},
            },
            CdsResponse,
        ),
        ExampleSpec(
            "cds_encounter_discharge",
            "encounter-discharge, prefetched note, no Coverage (default payer)",
            "POST",
            cds,
            {
                "hook": "encounter-discharge",
                "hookInstance": "6b1f3c1e-2d8a-4a57-9d0e-0c9f5f0b7a10",
                "context": {
                    "userId": "Practitioner/example",
                    "patientId": "example",
                    "encounterId": "encounter-1",
                },
                "prefetch": {"notes": document_reference(EXAMPLE_NOTE_TPI, "note-2")},
            },
            CdsResponse,
        ),
        ExampleSpec(
            "cds_feedback",
            "One overridden card",
            "POST",
            f"{cds}/feedback",
            {
                "feedback": [
                    {
                        "card": "0b0c3bd0-6d3c-4a3f-8f65-3c5d3c4e2b1a",
                        "outcome": "overridden",
                        "overrideReason": {
                            "reason": {"code": "documented-elsewhere", "system": OVERRIDE_SYSTEM},
                            "userComment": "Consent form scanned",
                        },
                        "outcomeTimestamp": "2026-01-05T10:00:00Z",
                    }
                ]
            },
            FeedbackPublic,
        ),
        ExampleSpec(
            "preauth",
            load_example("preauth")["summary"],
            "POST",
            "/v1/preauth",
            # the two notes of one patient live in the stored file: its request is the input
            load_example("preauth")["request"],
            Packet,
        ),
    ]


def spec(name: str) -> ExampleSpec:
    """The spec called ``name`` (``KeyError`` names the known ones)."""
    specs = {s.name: s for s in example_specs()}
    if name not in specs:
        raise KeyError(f"no example {name!r}; known: {', '.join(specs)}")
    return specs[name]


@cache
def load_example(name: str) -> dict[str, Any]:
    """The stored exchange ``<name>.json`` (read once per process)."""
    text = resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    exchange: dict[str, Any] = json.loads(text)
    return exchange


def response_examples(*names: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=`` entry carrying the stored responses as named examples."""
    examples = {
        name: {"summary": load_example(name)["summary"], "value": load_example(name)["response"]}
        for name in names
    }
    return {status: {"content": {"application/json": {"examples": examples}}}}


def request_examples(*names: str) -> dict[str, Example]:
    """``Body(openapi_examples=...)`` for the stored requests of ``names``."""
    return {
        name: Example(summary=load_example(name)["summary"], value=load_example(name)["request"])
        for name in names
    }
