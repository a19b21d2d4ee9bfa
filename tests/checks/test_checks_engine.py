"""Engine: complete notes are ready; removing one tagged sentence yields that finding."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.facts import NoteFacts
from assistant.findings import Finding, verdict_for
from assistant.pipeline import check_note

NOTES = Path(__file__).parent / "notes"
_MARK = re.compile(r"\s*## ([A-Z0-9, -]+)$")


def _parse(path: Path) -> tuple[list[str], list[list[str]]]:
    lines, marks = [], []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _MARK.search(raw)
        lines.append(_MARK.sub("", raw))
        marks.append([m.strip() for m in match.group(1).split(",")] if match else [])
    return lines, marks


def _variants() -> list[tuple[str, int, str]]:
    out = []
    for path in sorted(NOTES.glob("*_complete.txt")):
        _, marks = _parse(path)
        for index, ids in enumerate(marks):
            out.extend((path.name, index, rule_id) for rule_id in ids)
    return out


@pytest.mark.parametrize("name", [p.name for p in sorted(NOTES.glob("*_complete.txt"))])
def test_check_note_complete_note_is_ready(name: str, read: Callable[[str], NoteFacts]) -> None:
    lines, _ = _parse(NOTES / name)
    text = "\n".join(lines)
    result = check_note(text, payer="medicare", facts=read(text))
    assert [f.rule_id for f in result.findings] == []
    assert result.verdict == "ready"


@pytest.mark.parametrize(("name", "index", "rule_id"), _variants())
def test_check_note_removed_sentence_is_flagged(
    name: str, index: int, rule_id: str, read: Callable[[str], NoteFacts]
) -> None:
    lines, _ = _parse(NOTES / name)
    text = "\n".join(line for i, line in enumerate(lines) if i != index)
    result = check_note(text, payer="medicare", facts=read(text))
    found = {f.rule_id: f for f in result.findings}
    assert rule_id in found
    for ev in found[rule_id].evidence:
        assert 0 <= ev.start <= ev.end <= len(text)


def _finding(severity: str) -> Finding:
    return Finding.model_validate(
        {
            "rule_id": "X-001",
            "symbol": "x",
            "severity": severity,
            "concerns": ["claim.cpt"],
            "status": "missing",
            "message": "m",
            "fix": "f",
            "query": {"question": "q", "options": ["a", "Other", "Unable to determine"]},
            "source": {"policy": "p", "basis": "general_knowledge"},
        }
    )


@pytest.mark.parametrize(
    ("severities", "verdict"),
    [
        ([], "ready"),
        (["info"], "ready"),
        (["info", "warn"], "needs_attention"),
        (["warn", "block"], "not_billable_as_documented"),
    ],
)
def test_verdict_for_worst_severity(severities: list[str], verdict: str) -> None:
    assert verdict_for([_finding(s) for s in severities]) == verdict


def test_check_note_missing_levels_blocks(read: Callable[[str], NoteFacts]) -> None:
    text = "PROCEDURE: Left transforaminal epidural steroid injection under fluoroscopic guidance."
    result = check_note(text, payer="medicare", facts=read(text))
    blocks = {f.rule_id for f in result.findings if f.severity == "block"}
    assert "ESI-001" in blocks
    assert result.verdict == "not_billable_as_documented"


def test_check_note_unknown_payer_is_an_error(read: Callable[[str], NoteFacts]) -> None:
    from assistant.errors import UnknownPayerError

    with pytest.raises(UnknownPayerError, match="unknown payer 'nobody'; known payers: ") as info:
        check_note("x", payer="nobody", facts=read("x"))
    assert info.value.code == "E011"
