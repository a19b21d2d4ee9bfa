"""The criteria as a FHIR Questionnaire and a packet as its DTR-style pre-populated response."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from typer.testing import CliRunner

from assistant.checks import load_registry
from assistant.cli import app
from assistant.preauth import Packet, PlannedProcedure, build_packet, dated_notes
from assistant.preauth.criteria import load_criteria
from assistant.preauth.fhir import (
    INFORMATION_ORIGIN,
    QUESTIONNAIRE_URL,
    questionnaire,
    questionnaire_json,
    questionnaire_path,
    questionnaire_response,
)

CONSULT = """NEW PATIENT CONSULTATION
HISTORY OF PRESENT ILLNESS: He reports low back pain for 10 days.
He did physical therapy for 1 week. Pain is 7/10.
PLAN: Right L4-L5 transforaminal epidural steroid injection.
"""
EVIDENCE = "https://chartready.invalid/fhir/StructureDefinition/preauth-evidence"
STATUS = "https://chartready.invalid/fhir/StructureDefinition/preauth-status"
AUTHORED = dt.datetime(2024, 3, 2, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def packet() -> Packet:
    planned = PlannedProcedure.model_validate(
        {"family": "esi", "levels": ["L4-L5"], "side": "right", "payer": "medicare"}
    )
    notes = dated_notes([("consult", dt.date(2024, 2, 10), CONSULT)])
    return build_packet(planned, notes, load_registry(), patient="P-001")


@pytest.fixture(scope="module")
def response(packet: Packet) -> dict[str, Any]:
    return questionnaire_response(packet, AUTHORED)


def _extensions(item: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [ext for ext in item.get("extension", []) if ext["url"] == url]


def test_committed_questionnaire_is_the_generator_output() -> None:
    registry = load_registry()
    criteria = load_criteria(registry)
    path = questionnaire_path(registry, criteria.version)
    assert path.name == "questionnaire.v1.json"
    committed = path.read_text(encoding="utf-8")
    assert committed == questionnaire_json(criteria), (
        "stale: run `python -m assistant.preauth.fhir`"
    )


def test_questionnaire_is_valid_fhir_with_one_item_per_criterion() -> None:
    criteria = load_criteria(load_registry())
    data = questionnaire(criteria)
    Questionnaire.model_validate(data)
    assert (data["url"], data["version"]) == (QUESTIONNAIRE_URL, str(criteria.version))
    items = {item["linkId"]: item for item in data["item"]}
    assert [i.id for i in criteria.items] == [k for k in items if k.startswith("PA-")]
    family_codes = {o["valueCoding"]["code"] for o in items["procedure-family"]["answerOption"]}
    assert family_codes == set(criteria.families())
    for crit in criteria.items:
        item = items[crit.id]
        assert item["type"] == "boolean" and item["text"] == crit.criterion.message
        enabled = {w["answerCoding"]["code"] for w in item["enableWhen"]}
        assert enabled == set(crit.criterion.families)
        assert item.get("enableBehavior") == ("any" if len(enabled) > 1 else None)


def test_response_is_valid_fhir_and_names_the_questionnaire(
    packet: Packet, response: dict[str, Any]
) -> None:
    QuestionnaireResponse.model_validate(response)
    assert response["status"] == "in-progress"
    assert response["questionnaire"] == f"{QUESTIONNAIRE_URL}|{packet.criteria_version}"
    assert response["authored"] == "2024-03-02T09:30:00+00:00"
    assert response["subject"]["identifier"]["value"] == "P-001"
    answers = {item["linkId"]: item.get("answer") for item in response["item"]}
    assert answers["procedure-family"] == [
        {
            "valueCoding": {
                "system": "https://chartready.invalid/fhir/CodeSystem/procedure-family",
                "code": "esi",
                "display": "Epidural steroid injection",
            }
        }
    ]
    assert answers["procedure-levels"] == [{"valueString": "L4-L5"}]
    assert answers["procedure-side"][0]["valueCoding"]["code"] == "24028007"
    assert answers["planned-date"] == [{"valueDate": "2024-02-10"}]


def test_each_criterion_is_answered_by_its_status_and_marked_auto(
    packet: Packet, response: dict[str, Any]
) -> None:
    items = {item["linkId"]: item for item in response["item"]}
    statuses = {result.status for result in packet.criteria}
    assert statuses == {"met", "not_met", "not_found"}  # the note covers every case
    for result in packet.criteria:
        item = items[result.id]
        assert item["text"] == result.message
        assert _extensions(item, STATUS) == [{"url": STATUS, "valueCode": result.status}]
        if result.status == "not_found":
            assert "answer" not in item
            continue
        (answer,) = item["answer"]
        assert answer["valueBoolean"] is (result.status == "met")
        (origin,) = _extensions(answer, INFORMATION_ORIGIN)
        assert origin["extension"] == [{"url": "source", "valueCode": "auto"}]
        quotes = [
            {
                part["url"]: next(v for k, v in part.items() if k.startswith("value"))
                for part in e["extension"]
            }
            for e in _extensions(item, EVIDENCE)
        ]
        assert quotes == [
            {
                "note": ref.note_id,
                "date": ref.date.isoformat(),
                "start": ref.start,
                "end": ref.end,
                "quote": ref.quote,
            }
            for ref in result.evidence
        ]


def test_response_without_patient_key_or_side_has_no_subject(packet: Packet) -> None:
    plain = packet.model_copy(
        update={"patient": "  ", "procedure": packet.procedure.model_copy(update={"side": None})}
    )
    data = questionnaire_response(plain)
    QuestionnaireResponse.model_validate(data)
    assert "subject" not in data
    assert "procedure-side" not in {item["linkId"] for item in data["item"]}
    json.dumps(data)  # plain JSON data


def test_cli_writes_the_questionnaire_response(tmp_path: Path) -> None:
    note = tmp_path / "consult.txt"
    note.write_text("Date of service: 2024-02-10\n" + CONSULT, encoding="utf-8")
    args = ["preauth", str(note), "--procedure", "esi", "--payer", "medicare", "--format", "fhir"]
    result = CliRunner().invoke(app, [*args, "--patient", "P-3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    QuestionnaireResponse.model_validate(data)
    assert data["subject"]["identifier"]["value"] == "P-3"
    assert {item["linkId"] for item in data["item"]} >= {"PA-010", "PA-013"}
