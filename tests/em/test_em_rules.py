"""E/M rule data: validation with path-precise errors, id snapshot."""

from __future__ import annotations

import pytest
import yaml

from assistant.datafiles import load_yaml
from assistant.em.loader import cue_file, finding_file
from assistant.em.schema import CueFile, FindingFile
from assistant.errors import RuleFileError

# Deleting or renaming a rule id/symbol must be deliberate (add old_ids).
SNAPSHOT = {
    "EM-01": "modifier-25-not-separately-identifiable",
    "EM-03": "time-includes-procedure",
    "EM-04": "g2211-with-modifier-25",
    "EM-05": "prolonged-time-not-met",
    "EM-10": "em-level-above-support",
    "EM-11": "em-level-below-support",
    "EM-12": "em-bundled-into-procedure",
    "EM-13": "modifier-25-missing",
    "EM-14": "modifier-25-without-procedure",
    "OPI-01": "opioid-pdmp-check",
    "OPI-02": "opioid-urine-drug-testing",
    "OPI-03": "opioid-treatment-agreement",
    "OPI-04": "opioid-mme",
    "OPI-05": "opioid-functional-goals",
    "OPI-06": "opioid-risk-assessment",
    "OPI-07": "opioid-naloxone-offer",
}

MINIMAL_CUES = """
version: t
clause_breaks: '[,;]'
sentence_breaks: '[.;]'
sections: {}
triggers: []
tests: []
sites: []
macros: {drug: 'oxycodone|gabapentin'}
cues:
  - {id: a, kind: risk, value: rx_management, regex: 'start <<drug>>'}
"""


def test_rules_snapshot_ids_and_symbols() -> None:
    assert {r.id: r.symbol for r in finding_file().rules} == SNAPSHOT


def test_rules_every_rule_has_source_and_compliant_query() -> None:
    for rule in finding_file().rules:
        assert rule.source.url.startswith("http")
        rendered = rule.query.render()
        assert "Other (please specify)" in rendered
        assert "Unable to determine" in rendered


def test_rules_thresholds_match_reference() -> None:
    thresholds = finding_file().time_thresholds
    assert list(thresholds.new.values()) == [15, 30, 45, 60]
    assert list(thresholds.established.values()) == [10, 20, 30, 40]


def test_rules_cue_file_macros_expand() -> None:
    cues = load_yaml("mini.yaml", CueFile, MINIMAL_CUES)
    assert cues.cues[0].regex == "start (?:oxycodone|gabapentin)"
    assert len(cue_file().cues) > 40


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("kind: risk,", "[cues -> 0 -> kind]"),
        ("regex: 'start <<drug>>'", "[cues -> 0 -> regex]"),
        ("value: rx_management,", "[cues -> 0 -> colour]"),
    ],
)
def test_rules_cue_errors_name_the_path(change: str, message: str) -> None:
    bad = {
        "kind: risk,": "kind: riks,",
        "regex: 'start <<drug>>'": "regex: '(a+)+b'",
        "value: rx_management,": "value: rx_management, colour: red,",
    }[change]
    with pytest.raises(RuleFileError) as err:
        load_yaml("mini.yaml", CueFile, MINIMAL_CUES.replace(change, bad))
    assert "mini.yaml" in str(err.value)
    assert message in str(err.value)


def test_rules_unknown_macro_is_an_error() -> None:
    with pytest.raises(RuleFileError, match="unknown macro <<nope>>"):
        load_yaml("mini.yaml", CueFile, MINIMAL_CUES.replace("<<drug>>", "<<nope>>"))


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["Yes", "No", "Unable to determine"], "Other"),
        (["Yes", "No", "Other (please specify)"], "Unable to determine"),
        (["Yes, for payment", "No", "Other (please specify)", "Unable to determine"], "payment"),
    ],
)
def test_rules_query_must_be_compliant(options: list[str], error: str) -> None:
    raw = finding_file().model_dump(mode="json")
    raw["rules"][0]["query"]["options"] = options
    with pytest.raises(RuleFileError, match=error) as err:
        load_yaml("f.yaml", FindingFile, yaml.safe_dump(raw))
    assert "[rules -> 0 -> query]" in str(err.value)
