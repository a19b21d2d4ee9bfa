"""The authorization-mismatch rules' part of the rule reference (AUTH-xxx)."""

from __future__ import annotations

from assistant.preauth.authorization_rules import AuthorizationRules, MismatchRule
from assistant.rule_docs import RuleDoc, SectionDoc

_CHECKS = {
    "procedure": "the family performed is one the authorization covers",
    "level": "every level performed is among the levels authorized",
    "side": "the side performed is the side authorized",
    "window": "the date of service lies within the authorization's validity dates",
    "visits": "a session is left of the visits the authorization allows",
    "status": "the authorization on file is approved",
}


def _rule_doc(rule: MismatchRule, rules: AuthorizationRules) -> RuleDoc:
    return RuleDoc(
        id=rule.id,
        symbol=rule.symbol,
        title=rule.title,
        severity=rule.severity,
        status=rule.status,
        applies="procedure notes of a patient with an authorization on file (worklist, pre-sign)",
        checks=_CHECKS[rule.kind],
        source=rules.mismatch_source,
        fix=rule.fix,
        examples=(),
    )


def authorization_section(rules: AuthorizationRules) -> SectionDoc:
    """The mismatch warnings a note gets against the patient's stored authorization."""
    return SectionDoc(
        id="authorization",
        title=f"Note against the authorization on file (v{rules.version})",
        scope="procedure notes checked with a patient key whose authorization is stored",
        frame=None,
        rules=tuple(_rule_doc(rule, rules) for rule in rules.mismatch.values()),
    )
