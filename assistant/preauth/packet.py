"""The prior-authorization packet: criteria results over the timeline, as JSON or HTML.

``ready_to_submit`` is true only when every criterion is met. The HTML page is rendered
from a Jinja2 template the caller supplies (``api/templates/preauth_packet.html``), so this
package never imports the web layer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, select_autoescape
from pydantic import BaseModel, ConfigDict

from assistant.checks.registry import ChecklistRegistry
from assistant.errors import Errors, PreauthInputError
from assistant.facts import family_label
from assistant.preauth.criteria import load_criteria
from assistant.preauth.evaluate import Context, CriterionResult, judge
from assistant.preauth.items import Timeline
from assistant.preauth.notes import PatientNote
from assistant.preauth.planned import PlannedProcedure
from assistant.preauth.timeline import build_timeline

SCHEMA = "preauth-packet/v1"


class Packet(BaseModel):
    """Everything a payer reviewer needs for one planned procedure of one patient."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA
    patient: str | None
    procedure: PlannedProcedure
    procedure_label: str
    payer_title: str
    planned_date: dt.date
    criteria_version: int
    ready_to_submit: bool
    criteria: list[CriterionResult]
    timeline: Timeline

    def to_json_dict(self) -> dict[str, Any]:
        """The packet as JSON-ready data."""
        return self.model_dump(mode="json")


def check_family(family: str, registry: ChecklistRegistry) -> None:
    """Raise Errors.E101 unless the family has prior-authorization criteria."""
    known = load_criteria(registry).families()
    if family not in known:
        raise PreauthInputError(Errors.E101, family=family, known=", ".join(known))


def build_packet(
    planned: PlannedProcedure,
    notes: Sequence[PatientNote],
    registry: ChecklistRegistry,
    patient: str | None = None,
) -> Packet:
    """Evaluate the payer's criteria for ``planned`` over the timeline of ``notes``.

    Raises:
        PreauthInputError: no criteria for the family (Errors.E101).
        UnknownPayerError: no such payer profile (Errors.E011).
    """
    check_family(planned.family, registry)
    payer = registry.payer(planned.payer)
    criteria = load_criteria(registry)
    timeline = build_timeline(notes, registry, patient)
    ctx = Context(planned, timeline, notes, registry, payer.thresholds)
    results = [judge(ctx, crit) for crit in criteria.for_family(planned.family)]
    return Packet(
        patient=patient,
        procedure=planned,
        procedure_label=planned.procedure_words,
        payer_title=payer.title,
        planned_date=ctx.date,
        criteria_version=criteria.version,
        ready_to_submit=all(r.status == "met" for r in results),
        criteria=results,
        timeline=timeline,
    )


def render_html(packet: Packet, template: str) -> str:
    """The packet as one standalone printable HTML page (``template`` is Jinja2 source)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals["family_label"] = family_label
    return env.from_string(template).render(packet=packet)
