"""Prior authorization of ``order-sign`` procedure orders, as CDS Hooks cards.

For each procedure a draft order names (:func:`api.cds.inputs.procedure_orders`), the payer
authorization table (``checklists/preauth/authorization-rules.v1.yaml``) says whether this
payer needs prior authorization for the procedure's family in this place of service on that
day; if it does, the patient's stored authorizations are searched for one that covers the
order: its family (or a later step it carries over to), approved and in its window, the
levels and side, a visit left, and the order's CPT code among the approved ones. One card
per order, after Da Vinci CRD: ``info`` when no authorization is needed or one on file
covers the order; ``warning``, naming what is missing and linking to the packet page, when
none does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from api.cds.cards import shorten, source_of
from api.cds.inputs import ProcedureOrder
from api.cds.payer_choice import PayerChoice
from api.cds.wire import Card, Link, Source
from assistant.preauth.authorization_rules import AuthorizationRule, AuthorizationRules
from assistant.preauth.tracking import Authorization, ScheduledProcedure, family_covered, gaps

NO_AUTHORIZATION = "no authorization on file"


@dataclass(frozen=True)
class OrderAuthorization:
    """What one order needs: the rule asking for authorization, and what covers it.

    ``rule`` is None when the payer needs no authorization for it; ``covering`` is the
    authorization on file that covers it, else ``missing`` says why none does.
    """

    order: ProcedureOrder
    rule: AuthorizationRule | None
    covering: Authorization | None = None
    missing: str = ""


def _rule_for(
    rules: AuthorizationRules, payer: str, order: ProcedureOrder
) -> AuthorizationRule | None:
    """The payer's first rule asking for authorization of the order (of its code, if listed)."""
    return next(
        (
            rule
            for rule in rules.for_payer(payer)
            if (not rule.codes or order.cpt in rule.codes)
            and any(rule.applies(f, order.place_of_service, order.day) for f in order.families)
        ),
        None,
    )


def order_authorization(
    order: ProcedureOrder,
    payer: str,
    patient_key: str,
    authorizations: Sequence[Authorization],
    done: Sequence[ScheduledProcedure],
    rules: AuthorizationRules,
) -> OrderAuthorization:
    """Whether ``order`` needs authorization, and the patient's one that covers it if any.

    ``authorizations`` and ``done`` are the patient's (of any payer: only ``payer``'s count).
    A code of several families (63650: trial or implant) is covered by an authorization
    that covers any of them the rule names.
    """
    rule = _rule_for(rules, payer, order)
    if rule is None:
        return OrderAuthorization(order, None)
    families = [family for family in order.families if family in rule.families]
    candidates: list[tuple[list[str], Authorization]] = []
    for auth in (a for a in authorizations if a.payer == payer):
        for family in families:
            procedure = ScheduledProcedure(
                patient_key=patient_key,
                payer=payer,
                family=family,
                levels=list(order.levels),
                side=order.side,
                date=order.day,
                place_of_service=order.place_of_service,
            )
            found = gaps(auth, procedure, rules, done, billed=[order.cpt])
            if not found:
                return OrderAuthorization(order, rule, covering=auth)
            if family_covered(auth, family, rules):
                candidates.append((found, auth))
    closest = min(candidates, key=lambda c: len(c[0]), default=None)
    missing = NO_AUTHORIZATION
    if closest is not None:
        missing = f"{closest[1].label}: {'; '.join(closest[0])}"
    return OrderAuthorization(order, rule, missing=missing)


def _ordered(order: ProcedureOrder) -> str:
    """The ordered procedure in words: code, description, levels and side when given."""
    parts = [f"CPT {order.cpt} ({order.description})"]
    if order.levels:
        parts.append(", ".join(order.levels))
    if order.side:
        parts.append(order.side)
    return ", ".join([*parts, f"on {order.day.isoformat()}"])


def _place_words(order: ProcedureOrder) -> str:
    if order.place_of_service is None:
        return (
            "No CMS place of service on the order (ServiceRequest.locationCode): it is "
            "treated as a place the payer's rule names."
        )
    return f"Place of service {order.place_of_service}."


def authorization_card(
    decision: OrderAuthorization, payer: PayerChoice, packet_url: str, rules: AuthorizationRules
) -> Card:
    """The card for one order: not needed, needed and on file, or needed and missing."""
    order, rule = decision.order, decision.rule
    notes = [f"**Ordered:** {_ordered(order)}. {_place_words(order)}", payer.note()]
    if rule is None:
        return Card(
            uuid=str(uuid.uuid4()),
            summary=shorten(
                f"No prior authorization needed: CPT {order.cpt} for {payer.payer} in this setting"
            ),
            detail="\n\n".join(
                [
                    f"The payer authorization table asks {payer.payer} for no prior "
                    "authorization of this procedure in this place of service on this date.",
                    *notes,
                ]
            ),
            indicator="info",
            source=Source(label=f"ChartReady payer authorization table v{rules.version}"),
        )
    needed = f"**Prior authorization required:** {rule.title} ({rule.places_words}). {rule.note}"
    if rule.example:
        needed += " *(An example policy, not read at the payer: confirm with the plan.)*"
    if decision.covering is not None:
        auth = decision.covering
        return Card(
            uuid=str(uuid.uuid4()),
            summary=shorten(f"Prior authorization on file for CPT {order.cpt}: {auth.label}"),
            detail="\n\n".join(
                [
                    needed,
                    f"**On file:** {auth.label} ({auth.procedure_words}; valid "
                    f"{auth.window_words}) covers this order.",
                    *notes,
                ]
            ),
            indicator="info",
            source=source_of(rule.source),
        )
    return Card(
        uuid=str(uuid.uuid4()),
        summary=shorten(
            f"Prior authorization needed for CPT {order.cpt} ({payer.payer}): "
            "none on file covers it"
        ),
        detail="\n\n".join(
            [
                needed,
                f"**Missing:** an approved authorization for this procedure ({decision.missing}).",
                "Assemble the request packet from the patient's notes before the order is "
                "scheduled.",
                *notes,
            ]
        ),
        indicator="warning",
        source=source_of(rule.source),
        links=[
            Link(label="Assemble the prior-authorization packet", url=packet_url, type="absolute")
        ],
    )
