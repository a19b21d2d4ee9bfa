"""The criteria as a FHIR R4 Questionnaire, and a packet as its pre-populated response.

The Questionnaire is generated from the criteria file and committed beside it
(``checklists/preauth/questionnaire.v<N>.json``); ``python -m assistant.preauth.fhir``
rewrites it and a test keeps the two equal. It asks for the planned procedure, then one
boolean item per criterion (``linkId`` = criterion id), enabled for the families the
criterion applies to.

A packet becomes a QuestionnaireResponse shaped as Da Vinci DTR pre-population (STU 2.1,
https://hl7.org/fhir/us/davinci-dtr/): status ``in-progress`` for a person to review,
``questionnaire`` naming the canonical URL and version, a criterion met answered ``true``,
not met ``false``, not found left unanswered, and every answer taken from the notes marked
with DTR's ``information-origin`` extension (source ``auto``). The quotes that prove each
answer, the plain reason, the policy cited and the fix ride on the item as ChartReady
extensions, so a reviewer's system keeps the proof beside the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from assistant.checks.registry import ChecklistRegistry
from assistant.facts import family_label
from assistant.preauth.criteria import CRITERIA_FILE, Criteria, ResolvedCriterion, load_criteria
from assistant.preauth.evaluate import CriterionResult
from assistant.preauth.items import EvidenceRef
from assistant.preauth.packet import Packet

FHIR_BASE = "https://chartready.invalid/fhir/"
QUESTIONNAIRE_URL = FHIR_BASE + "Questionnaire/preauth-criteria"
FAMILY_SYSTEM = FHIR_BASE + "CodeSystem/procedure-family"
CRITERION_SYSTEM = FHIR_BASE + "CodeSystem/preauth-criterion"
PATIENT_KEY_SYSTEM = FHIR_BASE + "NamingSystem/patient-key"
EXTENSION = FHIR_BASE + "StructureDefinition/"
INFORMATION_ORIGIN = "http://hl7.org/fhir/us/davinci-dtr/StructureDefinition/information-origin"
SNOMED = "http://snomed.info/sct"
# Laterality qualifiers (SNOMED CT 272741003) for the planned side.
SIDES = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "bilateral": ("51440002", "Right and left"),
}


def questionnaire_path(registry: ChecklistRegistry, version: int) -> Path:
    """Where the committed Questionnaire of criteria ``version`` lives."""
    return registry.root / CRITERIA_FILE.parent / f"questionnaire.v{version}.json"


def _family_coding(family: str) -> dict[str, str]:
    return {"system": FAMILY_SYSTEM, "code": family, "display": family_label(family)}


def _side_coding(side: str) -> dict[str, str]:
    code, display = SIDES[side]
    return {"system": SNOMED, "code": code, "display": display}


def _procedure_items(families: list[str]) -> list[dict[str, Any]]:
    """The questions about the planned procedure that every criterion depends on."""
    return [
        {
            "linkId": "procedure-family",
            "text": "Planned procedure",
            "type": "choice",
            "required": True,
            "answerOption": [{"valueCoding": _family_coding(f)} for f in families],
        },
        {"linkId": "procedure-levels", "text": "Planned levels", "type": "string", "repeats": True},
        {
            "linkId": "procedure-side",
            "text": "Planned side",
            "type": "choice",
            "answerOption": [{"valueCoding": _side_coding(side)} for side in SIDES],
        },
        {"linkId": "payer", "text": "Payer profile", "type": "string"},
        {"linkId": "planned-date", "text": "Planned date", "type": "date"},
    ]


def _criterion_item(item: ResolvedCriterion) -> dict[str, Any]:
    """One criterion as a yes/no question, shown for the families it applies to."""
    crit = item.criterion
    question: dict[str, Any] = {
        "linkId": crit.id,
        "code": [{"system": CRITERION_SYSTEM, "code": crit.id, "display": crit.message}],
        "prefix": crit.id,
        "text": crit.message,
        "type": "boolean",
        "enableWhen": [
            {"question": "procedure-family", "operator": "=", "answerCoding": _family_coding(f)}
            for f in crit.families
        ],
    }
    if len(crit.families) > 1:
        question["enableBehavior"] = "any"
    return question


def questionnaire(criteria: Criteria) -> dict[str, Any]:
    """The criteria file as a FHIR R4 Questionnaire (deterministic: no dates, file order)."""
    version = str(criteria.version)
    return {
        "resourceType": "Questionnaire",
        "id": "preauth-criteria",
        "url": QUESTIONNAIRE_URL,
        "version": version,
        "name": "ChartReadyPreauthCriteria",
        "title": "Prior authorization criteria for interventional pain procedures",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "ChartReady",
        "description": (
            f"Generated from checklists/preauth/criteria.v{version}.yaml by "
            "`python -m assistant.preauth.fhir`; edit the criteria file, not this one. Each "
            "criterion item (linkId = criterion id) is enabled for the procedure families "
            "it applies to."
        ),
        "item": [
            *_procedure_items(criteria.families()),
            *(_criterion_item(item) for item in criteria.items),
        ],
    }


def questionnaire_json(criteria: Criteria) -> str:
    """The Questionnaire as the committed file's text."""
    return json.dumps(questionnaire(criteria), indent=2, ensure_ascii=False) + "\n"


def _auto(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer marked as auto-populated (DTR ``information-origin``, source ``auto``)."""
    origin = {"url": INFORMATION_ORIGIN, "extension": [{"url": "source", "valueCode": "auto"}]}
    return {**answer, "extension": [origin]}


def _string(url: str, value: str | None) -> dict[str, Any] | None:
    """A string extension, or None for an empty value (FHIR strings are never empty)."""
    if value is None or not value.strip():
        return None
    return {"url": url, "valueString": value}


def _evidence(ref: EvidenceRef) -> dict[str, Any]:
    """One quote of a note: which note, its date of service, the span and the words."""
    parts = [
        {"url": "note", "valueString": ref.note_id},
        {"url": "date", "valueDate": ref.date.isoformat()},
        {"url": "start", "valueInteger": ref.start},
        {"url": "end", "valueInteger": ref.end},
        {"url": "quote", "valueString": ref.quote},
    ]
    return {"url": EXTENSION + "preauth-evidence", "extension": parts}


def _source(result: CriterionResult) -> dict[str, Any]:
    source = result.source
    parts = [
        _string("policy", source.policy),
        _string("section", source.section),
        {"url": "url", "valueUri": source.url} if source.url else None,
    ]
    return {"url": EXTENSION + "preauth-source", "extension": [p for p in parts if p]}


def _criterion_answer(result: CriterionResult) -> dict[str, Any]:
    """The criterion's item: the answer (none when not found) and the proof beside it."""
    extensions = [
        {"url": EXTENSION + "preauth-status", "valueCode": result.status},
        _string(EXTENSION + "preauth-detail", result.detail),
        *(_evidence(ref) for ref in result.evidence),
        _source(result),
        _string(EXTENSION + "preauth-fix", result.fix),
        _string(EXTENSION + "preauth-provider-query", result.query),
    ]
    item: dict[str, Any] = {
        "linkId": result.id,
        "text": result.message,
        "extension": [ext for ext in extensions if ext],
    }
    if result.status != "not_found":
        item["answer"] = [_auto({"valueBoolean": result.status == "met"})]
    return item


def _procedure_answers(packet: Packet) -> list[dict[str, Any]]:
    """The planned procedure as the request gave it (entered, so not marked auto)."""
    planned = packet.procedure
    items: list[dict[str, Any]] = [
        {
            "linkId": "procedure-family",
            "text": "Planned procedure",
            "answer": [{"valueCoding": _family_coding(planned.family)}],
        }
    ]
    if planned.levels:
        answers = [{"valueString": level} for level in planned.levels]
        items.append({"linkId": "procedure-levels", "text": "Planned levels", "answer": answers})
    if planned.side:
        answer = [{"valueCoding": _side_coding(planned.side)}]
        items.append({"linkId": "procedure-side", "text": "Planned side", "answer": answer})
    items.append(
        {"linkId": "payer", "text": "Payer profile", "answer": [{"valueString": planned.payer}]}
    )
    when = [{"valueDate": packet.planned_date.isoformat()}]
    items.append({"linkId": "planned-date", "text": "Planned date", "answer": when})
    return items


def questionnaire_response(packet: Packet, authored: dt.datetime | None = None) -> dict[str, Any]:
    """The packet as a DTR-style pre-populated QuestionnaireResponse (status in-progress)."""
    moment = authored or dt.datetime.now(dt.UTC)
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE_URL}|{packet.criteria_version}",
        "status": "in-progress",
        "authored": moment.isoformat(timespec="seconds"),
        "item": [
            *_procedure_answers(packet),
            *(_criterion_answer(result) for result in packet.criteria),
        ],
    }
    key = (packet.patient or "").strip()
    if key:
        response["subject"] = {"identifier": {"system": PATIENT_KEY_SYSTEM, "value": key}}
    return response


def write_questionnaire(registry: ChecklistRegistry) -> Path:
    """Regenerate the committed Questionnaire from the criteria file; returns its path."""
    criteria = load_criteria(registry)
    path = questionnaire_path(registry, criteria.version)
    path.write_text(questionnaire_json(criteria), encoding="utf-8")
    return path


def main() -> int:
    """``python -m assistant.preauth.fhir``: rewrite the committed Questionnaire."""
    from assistant.checks import load_registry

    path = write_questionnaire(load_registry())
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
