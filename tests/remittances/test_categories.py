"""The CARC/RARC category table: valid data with its source; outcomes of the standard set."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.datafiles import load_yaml
from assistant.errors import RuleFileError
from assistant.remittances.categories import CategoryTable, classify, load_table
from assistant.remittances.extract import remittances
from assistant.remittances.model import Adjustment
from assistant.remittances.outcomes import effective_lines, line_outcome
from assistant.remittances.synthetic import render_835, standard_claims
from assistant.remittances.x12 import read_segments


def test_the_table_cites_x12_and_names_every_category() -> None:
    table = load_table()
    assert str(table.source.url).startswith("https://x12.org/codes")
    assert {"50", "97", "197", "16", "4", "151", "29", "18", "1"} <= set(table.carc)
    assert {"M127", "N706"} <= set(table.rarc)


@pytest.mark.parametrize(
    ("group", "carc", "remarks", "category"),
    [
        ("CO", "50", (), "medical_necessity"),
        ("CO", "97", (), "bundling_ncci"),
        ("CO", "197", (), "authorization"),
        ("CO", "16", ("M127",), "documentation"),
        ("CO", "16", ("N706",), "documentation"),
        ("CO", "16", ("M62",), "authorization"),
        ("CO", "16", ("MA01",), "documentation"),
        ("CO", "4", (), "coding_modifiers"),
        ("CO", "151", (), "frequency_limits"),
        ("CO", "29", (), "timely_filing"),
        ("CO", "18", (), "duplicate"),
        ("PR", "1", (), "patient_responsibility"),
        ("PR", "204", (), "patient_responsibility"),
        ("CO", "45", (), "contractual"),
        ("OA", "9999", (), "other"),
        ("CO", "50", ("M62",), "medical_necessity"),
    ],
)
def test_classify(group: str, carc: str, remarks: tuple[str, ...], category: str) -> None:
    adjustment = Adjustment(group=group, reason=carc, amount_cents=100)
    assert classify(load_table(), adjustment, remarks) == category


def test_a_bad_table_is_a_rule_file_error() -> None:
    bad = "version: 1\nsource: {name: x, url: not-a-url}\ncategories: {}\nnot_denials: []\n"
    with pytest.raises(RuleFileError) as caught:
        load_yaml("bad.yaml", CategoryTable, text=bad + "carc: {}\nrarc: {}\n")
    assert caught.value.code == "E001"
    assert "source -> url" in str(caught.value)


def test_outcomes_of_the_standard_claims() -> None:
    text = render_835(standard_claims(date(2024, 1, 10)))
    [remittance] = remittances(read_segments(text, "syn.835"))
    table = load_table()
    seen = {
        (claim.patient_control_number, claim.kind, line.procedure): line_outcome(table, claim, line)
        for claim in remittance.claims
        for line in effective_lines(claim)
    }
    brief = {key: (o.outcome, o.category, o.reason, o.denied_cents) for key, o in seen.items()}
    assert brief == {
        ("SYN-0001", "original", "64483"): ("paid", None, None, 0),
        ("SYN-0002", "original", "64483"): ("paid", None, None, 0),
        ("SYN-0002", "original", "64484"): ("denied", "bundling_ncci", "CO-97", 40000),
        ("SYN-0003", "original", "64493"): ("denied", "medical_necessity", "CO-50", 50000),
        ("SYN-0004", "original", "62323"): ("denied", "authorization", "CO-197", 50000),
        ("SYN-0005", "original", "64635"): ("denied", "documentation", "CO-16", 50000),
        ("SYN-0006", "original", "64483"): ("denied", "coding_modifiers", "CO-4", 50000),
        ("SYN-0007", "original", "64493"): ("denied", "frequency_limits", "CO-151", 50000),
        ("SYN-0008", "original", "20610"): ("denied", "timely_filing", "CO-29", 30000),
        ("SYN-0009", "original", "62323"): ("denied", "duplicate", "CO-18", 50000),
        ("SYN-0010", "original", "99213"): ("patient_responsibility", None, None, 0),
        ("SYN-0011", "reversal", "64483"): ("reversed", None, None, 0),
        ("SYN-0011", "correction", "64483"): ("paid", None, None, 0),
    }
