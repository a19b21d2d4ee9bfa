"""One of each: coverage, level parsing, a procedure in words, form error words, one read.

The coordinator's reasons (``gaps``) and a note's warnings (``mismatches``) share one
judgement (``coverage``); levels are read by one function; planned, scheduled and
authorized procedures are named by one; both pre-auth pages word pydantic errors with one
helper; the coordinator page reads the authorizations once per request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy import Engine, event

from api.routes.authorizations import error_words
from api.routes.preauth_pages import _place
from assistant.checks import load_registry
from assistant.errors import PreauthInputError
from assistant.facts import NoteFacts, Procedure
from assistant.preauth.authorization_rules import AuthorizationRules, load_authorization_rules
from assistant.preauth.mismatch import mismatches
from assistant.preauth.planned import PlannedProcedure, parse_levels, spinal_levels
from assistant.preauth.tracking import Authorization, ScheduledProcedure, coverage, gaps
from assistant.store import AuthorizationRepository

if TYPE_CHECKING:
    from preauth_pages_support import Page

DAY = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def rules() -> AuthorizationRules:
    return load_authorization_rules(load_registry())


def _auth(**kw: Any) -> Authorization:
    values: dict[str, Any] = {
        "id": 3,
        "patient_key": "P-1",
        "payer": "medicare",
        "family": "facet_mbb",
        "levels": ["L4-L5", "L5-S1"],
        "side": "left",
        "status": "approved",
        "valid_from": dt.date(2026, 3, 1),
        "valid_to": dt.date(2026, 5, 31),
    }
    return Authorization.model_validate({**values, **kw})


def _scheduled(**kw: Any) -> ScheduledProcedure:
    values: dict[str, Any] = {
        "patient_key": "P-1",
        "payer": "medicare",
        "family": "facet_mbb",
        "levels": ["L4-L5"],
        "side": "left",
        "date": DAY,
    }
    return ScheduledProcedure.model_validate({**values, **kw})


def _note(procedure: ScheduledProcedure) -> NoteFacts:
    performed = Procedure.model_validate(
        {"family": procedure.family, "levels": procedure.levels, "laterality": procedure.side}
    )
    return NoteFacts(note_id="n1", note_kind="procedure", procedures=[performed])


# (authorization, procedure, the coordinator's reasons, the note's mismatch kinds)
CASES = [
    ({}, {}, [], []),
    ({"status": "pended"}, {}, ["pended for records"], ["status"]),
    ({"status": "denied"}, {}, ["denied"], ["status"]),
    ({"status": "expired"}, {}, ["expired"], ["window"]),
    ({"valid_to": dt.date(2026, 3, 9)}, {}, ["valid 2026-03-01 to 2026-03-09"], ["window"]),
    ({"valid_from": dt.date(2026, 3, 11)}, {}, ["valid 2026-03-11 to 2026-05-31"], ["window"]),
    ({"family": "esi"}, {}, ["authorized for epidural steroid injection"], ["procedure"]),
    ({}, {"levels": ["L3-L4"]}, ["L3-L4 not authorized"], ["level"]),
    ({}, {"side": "right"}, ["authorized for the left side"], ["side"]),
    (
        {"status": "pended", "side": "right"},
        {},
        ["pended for records", "authorized for the right side"],
        ["side", "status"],
    ),
]


@pytest.mark.parametrize(("auth_kw", "proc_kw", "reasons", "kinds"), CASES)
def test_shared_coverage_words_the_same_judgement_twice(
    rules: AuthorizationRules,
    auth_kw: dict[str, Any],
    proc_kw: dict[str, Any],
    reasons: list[str],
    kinds: list[str],
) -> None:
    auth, procedure = _auth(**auth_kw), _scheduled(**proc_kw)
    assert gaps(auth, procedure, rules) == reasons
    note = mismatches(_note(procedure), 0, auth, DAY, rules=rules)
    assert [m.kind for m in note] == kinds
    judged = coverage(auth, procedure.family, procedure.levels, procedure.side, DAY, rules)
    fits = judged.family and judged.side and not judged.levels_outside
    assert (fits and judged.timing is None) is (not kinds)


def test_shared_coverage_visits_used_only_when_all_else_fits(rules: AuthorizationRules) -> None:
    done = [_scheduled(date=dt.date(2026, 3, 3))]
    auth = _auth(units_allowed=1)
    used = coverage(auth, "facet_mbb", ["L4-L5"], "left", DAY, rules, done=done)
    assert used.visits_used == 1
    assert gaps(auth, _scheduled(), rules, done) == ["all 1 visit(s) used"]
    note = mismatches(_note(_scheduled()), 0, auth, DAY, rules=rules, done=done)
    assert [(m.kind, m.detail) for m in note] == [
        ("visits", "1 earlier session(s) under authorization #3, which allows 1")
    ]
    wrong_side = coverage(auth, "facet_mbb", ["L4-L5"], "right", DAY, rules, done=done)
    assert wrong_side.visits_used is None  # the side is named, not the visits
    billed = coverage(auth, "facet_mbb", [], "left", DAY, rules, billed=["64495"], done=done)
    assert billed.codes_outside == () and billed.visits_used == 1  # it names no codes
    coded = _auth(units_allowed=1, cpt_codes=["64493"])
    outside = coverage(coded, "facet_mbb", [], "left", DAY, rules, billed=["64495"], done=done)
    assert outside.codes_outside == ("64495",) and outside.visits_used is None


def test_shared_coverage_rank_prefers_the_closest_authorization(rules: AuthorizationRules) -> None:
    candidates = [
        _auth(family="esi"),
        _auth(status="denied"),
        _auth(side="right"),
        _auth(levels=["L1-L2"]),
        _auth(),
    ]
    ranked = sorted(
        candidates,
        key=lambda a: coverage(a, "facet_mbb", ["L4-L5"], "left", DAY, rules).rank,
        reverse=True,
    )
    assert ranked[0] == candidates[-1] and ranked[-1] == candidates[0]


def test_shared_levels_one_reader_for_records_and_requests() -> None:
    assert spinal_levels(["l4-5", "L5-S1", "L4-L5"]) == ["L4-L5", "L5-S1"]
    assert parse_levels("L4-5, L5-S1,l4-l5") == ["L4-L5", "L5-S1"]
    assert _auth(levels=["l4-5", "L4-L5"]).levels == ["L4-L5"]
    with pytest.raises(ValueError, match="'L9' is not a spinal level such as L4-L5 or L5"):
        spinal_levels(["L4-L5", "L9"])
    with pytest.raises(ValidationError, match="'L9' is not a spinal level such as L4-L5"):
        _auth(levels=["L9"])
    with pytest.raises(PreauthInputError, match="is not a list of levels") as info:
        parse_levels("L4-L5,,L5-S1")
    assert info.value.code == "E106"
    assert parse_levels(" ") == [] and parse_levels(None) == []


def test_shared_procedure_words_for_planned_scheduled_and_authorized() -> None:
    fields: dict[str, Any] = {"family": "facet_rfa", "levels": ["L4-L5", "L5-S1"], "side": "right"}
    planned = PlannedProcedure(payer="medicare", **fields)
    words = "Facet radiofrequency ablation, right, L4-L5, L5-S1"
    assert planned.procedure_words == words
    assert _auth(**fields).procedure_words == words
    assert _scheduled(**fields).procedure_words == words
    assert PlannedProcedure(family="esi", payer="medicare").procedure_words == (
        "Epidural steroid injection"
    )


class _Levels(BaseModel):
    levels: list[str]

    @field_validator("levels")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return spinal_levels(values)


def test_shared_error_words_leave_out_pydantics_prefix() -> None:
    with pytest.raises(ValidationError) as info:
        _Levels(levels=["L9"])
    assert "Value error, " in str(info.value)  # what pydantic itself says
    expected = "Levels: 'L9' is not a spinal level such as L4-L5 or L5"
    assert error_words(info.value) == [expected]
    assert error_words(info.value, _place) == [expected]  # the pre-auth page's places


@pytest.mark.parametrize(
    ("loc", "place"),
    [
        (("procedure", "levels", 0), "Levels"),
        (("procedure", "date"), "Planned date"),
        (("procedure", "side"), "Side"),
        (("notes", 1, "date_of_service"), "Note 2, date of service"),
        (("patient",), "Patient key"),
        ((), "Form"),
    ],
)
def test_shared_error_words_preauth_page_places(loc: tuple[int | str, ...], place: str) -> None:
    assert _place(loc) == place


def test_shared_preauth_page_names_an_overlong_level_in_words(page: Page) -> None:
    csrf = page.sign_in("coder")
    form = {
        "csrf": csrf,
        "family": "esi",
        "payer": "medicare",
        "levels": "L4-L5" + " " * 120,
        "note_id": ["n1"],
        "note_date": ["2026-03-01"],
        "note_text": ["PROCEDURE: L4-L5 epidural steroid injection."],
    }
    response = page.client.post("/preauth", data=form)
    assert response.status_code == 422
    assert "Levels: String should have at most 100 characters" in response.text
    assert "0: String" not in response.text and "Value error" not in response.text


@pytest.fixture
def authorization_reads() -> Iterator[list[str]]:
    """The SQL statements that read the authorizations table while the test runs."""
    found: list[str] = []

    def seen(*args: Any) -> None:
        statement = str(args[2])
        if statement.lstrip().upper().startswith("SELECT") and "FROM authorizations" in statement:
            found.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    yield found
    event.remove(Engine, "before_cursor_execute", seen)


def test_shared_coordinator_page_reads_the_authorizations_once(
    page: Page, authorization_reads: list[str]
) -> None:
    with page.database.session() as session:
        AuthorizationRepository(session).add_authorization(
            _auth(patient_key="ONCE-1").model_dump(exclude={"id"}), "t"
        )
    page.sign_in("coder")
    authorization_reads.clear()
    response = page.client.get("/authorizations")
    assert response.status_code == 200 and "ONCE-1" in response.text
    assert len(authorization_reads) == 1, authorization_reads
