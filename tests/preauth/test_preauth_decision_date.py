"""A decision date can be cleared, and goes with the decision it dated.

The rule (``with_status(..., decided_on=CLEAR_DATE)``, and a denial sent again losing its
date), the store writing NULL on SQLite and PostgreSQL, ``chartready authorizations update
--clear-decided-on`` and the page's "Clear date" box. A decision (approved, denied) keeps a
date: clearing it is refused with E111.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from api.authorizations import change_status
from assistant.cli import app as cli_app
from assistant.errors import StatusChangeError
from assistant.preauth.tracking import CLEAR_DATE, Authorization, with_status
from assistant.store import AuthorizationRepository, Database

if TYPE_CHECKING:
    from preauth_pages_support import Page

TODAY = dt.date(2026, 3, 2)
DECIDED = dt.date(2026, 2, 25)


def _auth(**kw: Any) -> Authorization:
    values: dict[str, Any] = {
        "id": 9,
        "patient_key": "S-2",
        "payer": "medicare",
        "family": "facet_mbb",
        "status": "requested",
        "number": "UTN-D",
        "submitted_on": dt.date(2026, 2, 20),
    }
    return Authorization.model_validate({**values, **kw})


# ---- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "then"),
    [("pended", "pended"), ("requested", "pended"), ("denied", "requested"),
     ("approved", "expired"), ("expired", "expired")],
)  # fmt: skip
def test_decision_date_cleared_when_asked(now: str, then: str) -> None:
    cleared = with_status(
        _auth(status=now, decided_on=DECIDED), then, today=TODAY, decided_on=CLEAR_DATE
    )
    assert (cleared.status, cleared.decided_on, cleared.number) == (then, None, "UTN-D")


@pytest.mark.parametrize(
    ("now", "then"), [("requested", "approved"), ("approved", "approved"), ("pended", "denied")]
)
def test_decision_date_a_decision_keeps_one(now: str, then: str) -> None:
    with pytest.raises(StatusChangeError) as info:
        with_status(_auth(status=now, decided_on=DECIDED), then, today=TODAY, decided_on=CLEAR_DATE)
    assert info.value.code == "E111"
    assert str(info.value) == (
        f"a decision has a date, so authorization UTN-D cannot be {then} without one; "
        "give the right date instead of clearing it"
    )


def test_decision_date_goes_with_a_denial_sent_again() -> None:
    denied = _auth(status="denied", decided_on=DECIDED)
    assert with_status(denied, "requested", today=TODAY).decided_on is None
    assert with_status(denied, "pended", today=TODAY).decided_on is None
    given = dt.date(2026, 2, 27)
    assert with_status(denied, "pended", today=TODAY, decided_on=given).decided_on == given
    assert with_status(denied, "denied", today=TODAY).decided_on == DECIDED  # re-recorded
    assert with_status(denied, "approved", today=TODAY).decided_on == TODAY  # a new decision
    # An approval that lapses keeps its date; a pended request keeps a date given with it.
    approved = _auth(status="approved", decided_on=DECIDED)
    assert with_status(approved, "expired", today=TODAY).decided_on == DECIDED
    pended = _auth(status="pended", decided_on=DECIDED)
    assert with_status(pended, "requested", today=TODAY).decided_on == DECIDED


# ---- the store (SQLite, then PostgreSQL) ---------------------------------------------------


def _add(database: Database, **kw: Any) -> int:
    values = _auth(**kw).model_dump(exclude={"id"})
    with database.session() as session:
        return AuthorizationRepository(session).add_authorization(values, "t").id


def _row(database: Database, authorization_id: int) -> tuple[Any, ...]:
    with database.session() as session:
        row = AuthorizationRepository(session).authorization(authorization_id)
        assert row is not None
        return (row.status, row.number, row.decided_on)


def test_decision_date_repository_writes_null(database: Database) -> None:
    authorization_id = _add(database, status="denied", decided_on=DECIDED)
    with database.session() as session:
        repo = AuthorizationRepository(session)
        row = repo.set_status(authorization_id, "pended", number="UTN-D", decided_on=None)
        assert row is not None
    assert _row(database, authorization_id) == ("pended", "UTN-D", None)


def test_decision_date_store_clears_or_refuses(database: Database) -> None:
    pended = _add(database, status="pended", decided_on=DECIDED)
    changed = change_status(database, pended, "pended", today=TODAY, decided_on=CLEAR_DATE)
    assert changed is not None and changed.decided_on is None
    assert _row(database, pended) == ("pended", "UTN-D", None)
    approved = _add(database, status="approved", decided_on=DECIDED)
    with pytest.raises(StatusChangeError, match="a decision has a date"):
        change_status(database, approved, "approved", today=TODAY, decided_on=CLEAR_DATE)
    assert _row(database, approved) == ("approved", "UTN-D", DECIDED)  # nothing changed
    denied = _add(database, status="denied", decided_on=DECIDED)
    assert change_status(database, denied, "requested", today=TODAY) is not None
    assert _row(database, denied) == ("requested", "UTN-D", None)


# ---- the CLI -------------------------------------------------------------------------------


def _cli(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, ["authorizations", *args, "--database-url", url])
    return result.exit_code, result.output


def test_decision_date_cli_clears_it(database: Database, store_url: str) -> None:
    pended = _add(database, status="pended", decided_on=DECIDED)
    code, output = _cli(
        store_url, "update", str(pended), "--status", "pended", "--clear-decided-on"
    )
    assert code == 0, output
    assert f"authorization #{pended} is now pended, decision date cleared" in output
    assert _row(database, pended) == ("pended", "UTN-D", None)


@pytest.mark.parametrize(
    ("status", "args", "start", "words"),
    [
        ("pended", ["--status", "pended", "--clear-decided-on", "--decided-on", "2026-02-27"],
         "error give --decided-on or --clear-decided-on, not both", "not both"),
        ("approved", ["--status", "approved", "--clear-decided-on"],
         "error E111 authorization #{id} not changed: ", "a decision has a date"),
    ],
)  # fmt: skip
def test_decision_date_cli_refuses(
    database: Database, store_url: str, status: str, args: list[str], start: str, words: str
) -> None:
    authorization_id = _add(database, status=status, decided_on=DECIDED)
    code, output = _cli(store_url, "update", str(authorization_id), *args)
    assert code == 2
    assert output.startswith(start.format(id=authorization_id)), output
    assert words in " ".join(output.split())
    assert _row(database, authorization_id) == (status, "UTN-D", DECIDED)


# ---- the page ------------------------------------------------------------------------------


def _post(page: Page, authorization_id: int, csrf: str, **data: str) -> Any:
    return page.client.post(
        f"/authorizations/{authorization_id}/status",
        data={"csrf": csrf, **data},
        follow_redirects=False,
    )


def test_decision_date_page_offers_clear_only_with_a_date(page: Page) -> None:
    dated = _add(page.database, status="pended", decided_on=DECIDED)
    undated = _add(page.database, status="pended")
    page.sign_in("coder")
    text = page.client.get("/authorizations").text
    assert f'<input id="cd-{dated}" name="clear_decided_on" type="checkbox" value="yes">' in text
    assert f'<label for="cd-{dated}">Clear date</label>' in text
    assert f'id="cd-{undated}"' not in text


def test_decision_date_page_clears_it(page: Page) -> None:
    pended = _add(page.database, status="pended", decided_on=DECIDED)
    csrf = page.sign_in("coder")
    response = _post(page, pended, csrf, status="pended", number="UTN-D", clear_decided_on="yes")
    assert response.status_code == 303
    assert response.headers["location"] == "/authorizations?saved=status"
    assert _row(page.database, pended) == ("pended", "UTN-D", None)


@pytest.mark.parametrize(
    ("status", "data", "words"),
    [
        ("pended", {"status": "pended", "decided_on": "2026-02-27", "clear_decided_on": "yes"},
         "Nothing was changed. Decided on: enter a date or tick Clear date, not both."),
        ("approved", {"status": "approved", "clear_decided_on": "yes"},
         "Nothing was changed. A decision has a date, so authorization UTN-D cannot be approved "
         "without one; give the right date instead of clearing it (E111)."),
    ],
)  # fmt: skip
def test_decision_date_page_refuses(
    page: Page, status: str, data: dict[str, str], words: str
) -> None:
    authorization_id = _add(page.database, status=status, decided_on=DECIDED)
    csrf = page.sign_in("coder")
    response = _post(page, authorization_id, csrf, number="UTN-D", **data)
    assert response.status_code == 422
    text = html.unescape(response.text)
    alert = re.search(r'<p class="error" role="alert" data-errors="status">(.*?)</p>', text)
    assert alert is not None and alert.group(1) == words
    assert _row(page.database, authorization_id) == (status, "UTN-D", DECIDED)
