"""The coordinator's four queues, computed from records (no store, no reader)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assistant.checks import load_registry
from assistant.preauth.authorization_rules import AuthorizationRules, load_authorization_rules
from assistant.preauth.coordinator import coordinator_worklist
from assistant.preauth.tracking import (
    Authorization,
    ScheduledProcedure,
    gaps,
    side_covered,
    uncovered_levels,
)

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def rules() -> AuthorizationRules:
    return load_authorization_rules(load_registry())


def _day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def scheduled(offset: int, family: str = "facet_mbb", **kw: Any) -> ScheduledProcedure:
    values: dict[str, Any] = {
        "patient_key": "P-1",
        "payer": "medicare",
        "family": family,
        "levels": ["L4-L5", "L5-S1"],
        "side": "left",
        "place_of_service": "22",
        "date": _day(offset),
    }
    return ScheduledProcedure.model_validate({**values, **kw})


def approved(family: str = "facet_mbb", **kw: Any) -> Authorization:
    values: dict[str, Any] = {
        "patient_key": "P-1",
        "payer": "medicare",
        "family": family,
        "levels": ["L4-L5", "L5-S1"],
        "side": "left",
        "status": "approved",
        "number": "UTN-1",
        "valid_from": _day(-30),
        "valid_to": _day(60),
    }
    return Authorization.model_validate({**values, **kw})


def test_coordinator_covered_procedure_is_in_no_queue(rules: AuthorizationRules) -> None:
    found = coordinator_worklist([scheduled(5)], [approved(units_allowed=2)], rules, TODAY)
    assert found.unauthorized == [] and found.expiring == [] and found.pended == []
    assert [s.next_family for s in found.next_steps] == []  # MBB 2 still has a visit left


@pytest.mark.parametrize(
    ("procedure", "auths", "reason"),
    [
        (scheduled(5), [], "no authorization on file"),
        (scheduled(5), [approved(status="pended")], "pended for records"),
        (scheduled(5), [approved(status="denied")], "denied"),
        (scheduled(5), [approved(valid_to=_day(3))], "valid 2026-01-31 to 2026-03-05"),
        (scheduled(5, levels=["L3-L4"]), [approved()], "L3-L4 not authorized"),
        (scheduled(5, side="right"), [approved()], "authorized for the left side"),
        (
            scheduled(5),
            [approved(units_allowed=1)],
            "all 1 visit(s) used",
        ),
    ],
)
def test_coordinator_unauthorized_names_why(
    rules: AuthorizationRules,
    procedure: ScheduledProcedure,
    auths: list[Authorization],
    reason: str,
) -> None:
    earlier = scheduled(-10)  # an MBB already done under the same authorization
    found = coordinator_worklist([earlier, procedure], auths, rules, TODAY)
    assert [u.procedure.date for u in found.unauthorized] == [procedure.date]
    entry = found.unauthorized[0]
    assert entry.rule_id == "PAR-001"
    assert reason in entry.reason


@pytest.mark.parametrize(
    ("procedure", "why"),
    [
        (scheduled(5, place_of_service="11"), "office: outside the OPD program"),
        (scheduled(5, payer="medicare_advantage_example"), "no rule for this payer"),
        (scheduled(5, family="esi"), "ESI is not on Medicare's OPD list"),
        (scheduled(-1), "already done"),
        (scheduled(5, date=dt.date(2023, 6, 1)), "already done"),
    ],
)
def test_coordinator_procedure_needing_no_authorization_is_not_listed(
    rules: AuthorizationRules, procedure: ScheduledProcedure, why: str
) -> None:
    assert coordinator_worklist([procedure], [], rules, TODAY).unauthorized == [], why


def test_coordinator_other_patient_or_payer_authorization_does_not_cover(
    rules: AuthorizationRules,
) -> None:
    auths = [approved(patient_key="P-2"), approved(payer="commercial")]
    found = coordinator_worklist([scheduled(5)], auths, rules, TODAY)
    assert len(found.unauthorized) == 1
    assert found.unauthorized[0].reason == "no authorization on file"


def test_coordinator_expiring_within_days_only_approved(rules: AuthorizationRules) -> None:
    auths = [
        approved(number="A", valid_to=_day(3)),
        approved(number="B", valid_to=_day(14)),
        approved(number="C", valid_to=_day(15)),
        approved(number="D", valid_to=_day(-1)),
        approved(number="E", valid_to=_day(2), status="pended"),
    ]
    found = coordinator_worklist([], auths, rules, TODAY, days=14)
    assert [(e.authorization.number, e.days_left) for e in found.expiring] == [("A", 3), ("B", 14)]


@pytest.mark.parametrize(
    ("history", "auths", "expected"),
    [
        ([scheduled(-20)], [], ("facet_mbb", 2)),
        ([scheduled(-20)], [approved(units_allowed=1)], ("facet_mbb", 2)),
        ([scheduled(-20)], [approved(units_allowed=2)], None),
        ([scheduled(-20), scheduled(-5)], [approved(units_allowed=2)], ("facet_rfa", 3)),
        ([scheduled(-20), scheduled(-5)], [approved("facet_rfa", status="requested")], None),
        (
            [scheduled(-20), scheduled(-5)],
            [approved("facet_rfa", status="denied")],
            ("facet_rfa", 3),
        ),
        ([scheduled(-20), scheduled(-5), scheduled(10, "facet_rfa")], [], None),
        ([scheduled(-20), scheduled(-5, place_of_service="11")], [], None),
        ([scheduled(-9, "scs_trial")], [], ("scs_implant", 2)),
        ([scheduled(-9, "scs_trial")], [approved("scs_trial", units_allowed=1)], None),
        (
            [scheduled(-9, "scs_trial", payer="commercial")],
            [approved("scs_trial", payer="commercial", units_allowed=1)],
            ("scs_implant", 2),
        ),
    ],
)
def test_coordinator_next_step_needs_a_new_request(
    rules: AuthorizationRules,
    history: list[ScheduledProcedure],
    auths: list[Authorization],
    expected: tuple[str, int] | None,
) -> None:
    found = coordinator_worklist(history, auths, rules, TODAY).next_steps
    got = [(s.next_family, s.step) for s in found]
    assert got == ([expected] if expected else [])
    if expected:
        assert found[0].last == history[-1]
        assert found[0].words.startswith(f"Step {expected[1]} of")


def test_coordinator_pended_longest_waiting_first(rules: AuthorizationRules) -> None:
    auths = [
        approved(status="pended", number="new", submitted_on=_day(-3)),
        approved(status="pended", number="old", submitted_on=_day(-20)),
        approved(status="requested", number="asked", submitted_on=_day(-40)),
    ]
    found = coordinator_worklist([], auths, rules, TODAY).pended
    assert [(p.authorization.number, p.days_waiting) for p in found] == [("old", 20), ("new", 3)]


@pytest.mark.parametrize(
    ("authorized", "performed", "missing"),
    [
        (["L4-L5", "L5-S1"], ["L4-L5"], []),
        (["L4-L5", "L5-S1"], ["L4", "L5"], []),
        (["L4-L5"], ["L5-S1"], ["L5-S1"]),
        ([], ["L3-L4"], []),
        (["L4-L5"], [], []),
    ],
)
def test_coordinator_levels_covered(
    authorized: list[str], performed: list[str], missing: list[str]
) -> None:
    assert uncovered_levels(authorized, performed) == missing


@pytest.mark.parametrize(
    ("authorized", "performed", "ok"),
    [
        ("left", "left", True),
        ("left", "right", False),
        ("bilateral", "right", True),
        ("left", "bilateral", False),
        (None, "right", True),
        ("left", None, True),
    ],
)
def test_coordinator_side_covered(authorized: str | None, performed: str | None, ok: bool) -> None:
    assert side_covered(authorized, performed) is ok


def test_coordinator_trial_authorization_covers_implant_when_the_rule_carries_it(
    rules: AuthorizationRules,
) -> None:
    implant = scheduled(5, "scs_implant", levels=[], side=None)
    trial = approved("scs_trial", levels=[], side=None, units_allowed=1)
    assert gaps(trial, implant, rules) == []
    assert gaps(trial, implant, None) == ["authorized for spinal cord stimulator trial"]


def test_coordinator_records_refuse_bad_values() -> None:
    with pytest.raises(ValueError, match="not a spinal level"):
        approved(levels=["L9"])
    with pytest.raises(ValueError, match="valid_to is before valid_from"):
        approved(valid_from=_day(5), valid_to=_day(1))
    with pytest.raises(ValueError, match="status"):
        approved(status="maybe")
    assert approved(levels=["l4-5"]).levels == ["L4-L5"]
