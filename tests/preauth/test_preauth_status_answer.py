"""The payer's answer on a request: which status moves are allowed, in words when not.

The rule (``with_status``), the store's part on SQLite and PostgreSQL (``change_status``),
``chartready authorizations update`` and the page's row form over HTTP.
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
from assistant.errors import ChartReadyError, StatusChangeError
from assistant.preauth.tracking import (
    AUTHORIZATION_STATUSES,
    NEXT_STATUSES,
    Authorization,
    with_status,
)
from assistant.store import AuthorizationRepository, Database, StoredAuthorization

if TYPE_CHECKING:
    from preauth_pages_support import Page

TODAY = dt.date(2026, 3, 2)
# Moves a request's history does not allow (every other move is).
REFUSED = {
    ("requested", "expired"),
    ("pended", "expired"),
    ("approved", "requested"),
    ("approved", "pended"),
    ("denied", "expired"),
    ("expired", "requested"),
    ("expired", "pended"),
    ("expired", "approved"),
    ("expired", "denied"),
}


def _auth(**kw: Any) -> Authorization:
    values: dict[str, Any] = {
        "id": 7,
        "patient_key": "S-1",
        "payer": "medicare",
        "family": "facet_mbb",
        "status": "requested",
        "submitted_on": dt.date(2026, 2, 20),
    }
    return Authorization.model_validate({**values, **kw})


def _stored_values(**kw: Any) -> dict[str, Any]:
    return _auth(**kw).model_dump(exclude={"id"})


# ---- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("now", AUTHORIZATION_STATUSES)
@pytest.mark.parametrize("then", AUTHORIZATION_STATUSES)
def test_status_answer_moves_follow_the_table(now: str, then: str) -> None:
    allowed = (now, then) not in REFUSED
    assert (then in NEXT_STATUSES[now]) is allowed
    if allowed:
        assert with_status(_auth(status=now), then, today=TODAY).status == then
    else:
        with pytest.raises(StatusChangeError, match=f"cannot become {then}") as info:
            with_status(_auth(status=now), then, today=TODAY)
        assert info.value.code == "E108"


@pytest.mark.parametrize(
    ("now", "then", "words"),
    [
        ("expired", "approved", "authorization #7 is expired, so it cannot become approved; "
         "ask again in a new request"),
        ("approved", "requested", "authorization UTN-1 is approved, so it cannot become "
         "requested; it can become denied or expired"),
        ("requested", "expired", "it can become pended, approved or denied"),
    ],
)  # fmt: skip
def test_status_answer_refusal_names_the_moves_left(now: str, then: str, words: str) -> None:
    number = "UTN-1" if now == "approved" else None
    with pytest.raises(StatusChangeError) as info:
        with_status(_auth(status=now, number=number), then, today=TODAY)
    assert words in str(info.value)
    assert isinstance(info.value, ChartReadyError) and info.value.code == "E108"
    assert "E108" not in str(info.value)  # the code stands beside the message, not in it


def test_status_answer_decision_dated_today_unless_given() -> None:
    approved = with_status(_auth(status="pended"), "approved", today=TODAY, number=" UTN-9 ")
    assert (approved.decided_on, approved.number) == (TODAY, "UTN-9")
    given = with_status(_auth(), "denied", today=TODAY, decided_on=dt.date(2026, 2, 25))
    assert given.decided_on == dt.date(2026, 2, 25)
    again = with_status(approved, "approved", today=TODAY + dt.timedelta(days=3))
    assert (again.decided_on, again.number) == (TODAY, "UTN-9")  # re-recorded: kept
    assert with_status(_auth(), "pended", today=TODAY).decided_on is None


@pytest.mark.parametrize(
    ("kw", "words", "code"),
    [
        ({"status": "granted"}, "unknown status 'granted'; known: requested, pended, approved, "
         "denied, expired", "E107"),
        ({"status": "approved", "decided_on": dt.date(2026, 2, 1)},
         "decided on 2026-02-01, before the request was submitted (2026-02-20)", "E109"),
        ({"status": "approved", "number": "N" * 51}, "the number is longer than 50 characters",
         "E110"),
    ],
)  # fmt: skip
def test_status_answer_refuses_bad_values(kw: dict[str, Any], words: str, code: str) -> None:
    status = kw.pop("status")
    with pytest.raises(StatusChangeError) as info:
        with_status(_auth(), status, today=TODAY, **kw)
    assert str(info.value) == words  # the wording is unchanged; the code is apart
    assert info.value.code == code


# ---- the store (SQLite, then PostgreSQL) ---------------------------------------------------


def _add(database: Database, **kw: Any) -> int:
    with database.session() as session:
        return AuthorizationRepository(session).add_authorization(_stored_values(**kw), "t").id


def _row(database: Database, authorization_id: int) -> tuple[Any, ...]:
    with database.session() as session:
        row = AuthorizationRepository(session).authorization(authorization_id)
        assert row is not None
        return (row.status, row.number, row.decided_on)


def test_status_answer_store_reads_one_and_locks_it(database: Database) -> None:
    first = _add(database)
    with database.session() as session:
        repo = AuthorizationRepository(session)
        row = repo.authorization(first, for_update=True)
        assert row is not None and row.patient_key == "S-1"
        assert repo.authorization(first + 100) is None


def test_status_answer_store_records_allowed_moves_only(database: Database) -> None:
    pended = _add(database, status="pended")
    changed = change_status(database, pended, "approved", today=TODAY, number="UTN-5")
    assert changed is not None and changed.status == "approved"
    assert _row(database, pended) == ("approved", "UTN-5", TODAY)
    expired = _add(database, status="expired", number="OLD")
    with pytest.raises(StatusChangeError, match="cannot become approved"):
        change_status(database, expired, "approved", today=TODAY, number="NEW")
    assert _row(database, expired) == ("expired", "OLD", None)  # nothing changed
    assert change_status(database, expired + 100, "denied", today=TODAY) is None


# ---- the CLI -------------------------------------------------------------------------------


def _cli(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli_app, ["authorizations", *args, "--database-url", url])
    return result.exit_code, result.output


def test_status_answer_cli_update_with_reference_and_decision(
    database: Database, store_url: str
) -> None:
    pended = _add(database, status="pended")
    code, output = _cli(
        store_url, "update", str(pended), "--status", "approved", "--reference", "UTN-8",
        "--decided", "2026-02-27",
    )  # fmt: skip
    assert code == 0, output
    assert f"authorization #{pended} is now approved, decided 2026-02-27, number UTN-8" in output
    assert _row(database, pended) == ("approved", "UTN-8", dt.date(2026, 2, 27))


@pytest.mark.parametrize(
    ("status", "args", "words", "error"),
    [
        ("expired", ["--status", "approved"], "is expired, so it cannot become approved",
         "E108"),
        ("requested", ["--status", "expired"], "it can become pended, approved or denied",
         "E108"),
        ("requested", ["--status", "denied", "--decided", "2026-01-01"],
         "before the request was submitted", "E109"),
        ("requested", ["--status", "approved", "--number", "N" * 51],
         "the number is longer than 50 characters", "E110"),
    ],
)  # fmt: skip
def test_status_answer_cli_refuses_a_move_in_one_line(
    database: Database, store_url: str, status: str, args: list[str], words: str, error: str
) -> None:
    authorization_id = _add(database, status=status)
    code, output = _cli(store_url, "update", str(authorization_id), *args)
    assert code == 2
    # The code once, beside the message, as every coded CLI error prints it.
    assert output.startswith(f"error {error} authorization #{authorization_id} not changed: ")
    assert output.count(error) == 1
    assert words in " ".join(output.split())
    assert len(output.strip().splitlines()) <= 2  # one message (wrapped at most once)
    assert _row(database, authorization_id)[0] == status


# ---- the page ------------------------------------------------------------------------------


def _post(page: Page, authorization_id: int, csrf: str, **data: str) -> Any:
    return page.client.post(
        f"/authorizations/{authorization_id}/status",
        data={"csrf": csrf, **data},
        follow_redirects=False,
    )


def test_status_answer_page_offers_only_the_moves_allowed(page: Page) -> None:
    expired = _add(page.database, status="expired")
    approved = _add(page.database, status="approved")
    page.sign_in("coder")
    text = page.client.get("/authorizations").text

    def options(authorization_id: int) -> list[str]:
        select = re.search(
            rf'<select id="st-{authorization_id}" name="status">(.*?)</select>', text
        )
        assert select is not None
        return re.findall(r'<option value="(\w+)"', select.group(1))

    assert options(expired) == ["expired"]
    assert options(approved) == ["approved", "denied", "expired"]


def test_status_answer_page_records_an_allowed_move(page: Page) -> None:
    pended = _add(page.database, status="pended")
    csrf = page.sign_in("coder")
    response = _post(page, pended, csrf, status="approved", number="UTN-P", decided_on="")
    assert response.status_code == 303
    assert response.headers["location"] == "/authorizations?saved=status"
    assert _row(page.database, pended) == ("approved", "UTN-P", dt.date.today())


@pytest.mark.parametrize(
    ("status", "data", "words"),
    [
        ("expired", {"status": "approved"}, "Authorization KEEP is expired, so it cannot "
         "become approved; ask again in a new request (E108)."),
        ("requested", {"status": "expired"}, "it can become pended, approved or denied (E108)."),
        ("requested", {"status": "denied", "decided_on": "2026-01-01"},
         "Decided on 2026-01-01, before the request was submitted (2026-02-20) (E109)."),
        ("requested", {"status": "approved", "number": "N" * 51},
         "The number is longer than 50 characters (E110)."),
    ],
)  # fmt: skip
def test_status_answer_page_refuses_a_move_with_the_reason(
    page: Page, status: str, data: dict[str, str], words: str
) -> None:
    authorization_id = _add(page.database, status=status, number="KEEP")
    csrf = page.sign_in("coder")
    response = _post(page, authorization_id, csrf, **{"number": "CHANGED", **data})
    assert response.status_code == 422
    text = html.unescape(response.text)
    alert = re.search(r'<p class="error" role="alert" data-errors="status">(.*?)</p>', text)
    assert alert is not None, "the reason is shown as an alert"
    assert alert.group(1).startswith("Nothing was changed. ")
    assert words in alert.group(1)
    assert "Traceback" not in text
    assert _row(page.database, authorization_id)[:2] == (status, "KEEP")


def test_status_answer_page_unknown_id_and_other_callers(page: Page) -> None:
    authorization_id = _add(page.database, status="pended")
    csrf = page.sign_in("coder")
    missing = _post(page, 987654, csrf, status="denied")
    assert missing.status_code == 422
    assert "There is no authorization #987654." in missing.text
    assert _post(page, authorization_id, "not-the-token", status="denied").status_code == 403
    provider_csrf = page.sign_in("provider")
    assert _post(page, authorization_id, provider_csrf, status="denied").status_code == 403
    page.client.cookies.clear()
    signed_out = _post(page, authorization_id, csrf, status="denied")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    with page.database.session() as session:
        row = session.get(StoredAuthorization, authorization_id)
        assert row is not None and row.status == "pended"
