"""Payer profiles: thresholds, severity overrides and non-covered codes.

Profiles resolve through ``inherits``, so a practice can add a payer or override one value
in YAML without code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.checks.schema import PayerProfile
from assistant.errors import Errors, RuleFileError, UnknownPayerError
from assistant.findings import Severity


@dataclass(frozen=True)
class ResolvedPayer:
    """A payer profile with its parents' values merged in (child wins)."""

    id: str
    title: str
    chain: tuple[str, ...]
    thresholds: dict[str, float] = field(default_factory=dict)
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    disabled_rules: frozenset[str] = frozenset()
    noncovered_cpt: dict[str, str] = field(default_factory=dict)

    def severity(self, rule_id: str, default: Severity) -> Severity:
        """The severity this payer gives a rule."""
        return self.severity_overrides.get(rule_id, default)


def resolve_payer(profiles: dict[str, PayerProfile], payer_id: str) -> ResolvedPayer:
    """Merge ``payer_id`` with its ``inherits`` chain.

    Raises:
        UnknownPayerError: no profile has the id ``payer_id``.
        RuleFileError: a profile inherits an unknown payer, or the chain loops.
    """
    if payer_id not in profiles:
        raise UnknownPayerError(Errors.E011, payer=payer_id, known=", ".join(sorted(profiles)))
    chain: list[PayerProfile] = []
    current: str | None = payer_id
    while current is not None:
        if current in (p.id for p in chain):
            raise RuleFileError(
                Errors.E001,
                file=f"payer profile {payer_id!r}",
                errors=f"[inherits] cycle at {current!r}",
            )
        if current not in profiles:
            raise RuleFileError(
                Errors.E001,
                file=f"payer profile {chain[-1].id!r}",
                errors=f"[inherits] unknown payer {current!r}",
            )
        chain.append(profiles[current])
        current = profiles[current].inherits
    thresholds: dict[str, float] = {}
    overrides: dict[str, Severity] = {}
    disabled: set[str] = set()
    noncovered: dict[str, str] = {}
    for profile in reversed(chain):
        thresholds.update(profile.thresholds)
        overrides.update(profile.severity_overrides)
        disabled.update(profile.disabled_rules)
        noncovered.update(profile.noncovered_cpt)
    return ResolvedPayer(
        id=payer_id,
        title=chain[0].title,
        chain=tuple(p.id for p in chain),
        thresholds=thresholds,
        severity_overrides=overrides,
        disabled_rules=frozenset(disabled),
        noncovered_cpt=noncovered,
    )
