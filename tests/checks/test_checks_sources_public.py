"""Rule data cites public sources, never the payer-rules study aid.

``shared/reference/payer-rules.md`` is a study aid compiled for the team, not a document a
payer, auditor or provider can look up. Every rule's ``source`` names the public document
itself (LCD or billing article, NCCI manual, CPT descriptor, CMS manual, AMA or CDC
guideline), so no rule, checklist, coding table or risk assumption may mention the aid.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("checklists", "assistant/em", "assistant/reader/rules", "assistant/risk")
SUFFIXES = {".yaml", ".yml", ".json", ".py"}
NEEDLE = "payer-rules"


def _files() -> list[Path]:
    return sorted(
        path
        for folder in SCANNED
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and path.suffix in SUFFIXES
    )


def test_scanned_folders_exist_and_hold_rule_files() -> None:
    assert all((ROOT / folder).is_dir() for folder in SCANNED)
    assert len(_files()) > 10


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_rule_file_does_not_cite_the_study_aid(path: Path) -> None:
    relative = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    hits = [n for n, line in enumerate(text.splitlines(), 1) if NEEDLE in line]
    assert hits == [], f"{relative} mentions {NEEDLE} on line(s) {hits}"
