"""The E/M, modifier-25/G2211 and opioid rules' part of the rule reference.

Pure over the packaged finding file: each rule with where it applies, what raises it (its
message, <placeholders> for the values a finding fills in), its source, fix and examples.
"""

from __future__ import annotations

import re

from assistant.em.schema import FindingFile, FindingRule, RuleExample
from assistant.rule_docs import RuleDoc, SectionDoc, one_line

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_APPLIES = {
    "EM": "office or consult notes, and notes billed with an office E/M code",
    "OPI": "notes in which opioids are prescribed or managed",
}


def _claim_text(example: RuleExample) -> str:
    lines = ", ".join(
        "-".join([line.cpt, *line.modifiers]) + (f" x{line.units}" if line.units > 1 else "")
        for line in example.lines
    )
    return f"{one_line(example.note)} [claim: {lines or 'none'}]"


def _rule_doc(rule: FindingRule) -> RuleDoc:
    examples = [
        ("good", _claim_text(rule.examples.good)),
        ("bad", _claim_text(rule.examples.bad)),
    ]
    if rule.examples.payer != "medicare":
        examples.append(("payer", rule.examples.payer))
    return RuleDoc(
        id=rule.id,
        symbol=rule.symbol,
        title=rule.symbol.replace("-", " ").capitalize(),
        severity=rule.severity,
        status=rule.status,
        applies=_APPLIES[rule.id.split("-")[0]],
        checks=_PLACEHOLDER.sub(r"<\1>", one_line(rule.message)),
        source=rule.source,
        fix=one_line(rule.fix),
        examples=tuple(examples),
    )


def em_section(file: FindingFile) -> SectionDoc:
    """The E/M and opioid rules as one section of the reference page."""
    return SectionDoc(
        id="em",
        title=f"E/M, modifier 25/G2211 and chronic opioid therapy rules ({file.version})",
        scope="office/consult notes and claims with an office E/M code; opioid management",
        frame=None,
        rules=tuple(_rule_doc(rule) for rule in file.rules),
    )
