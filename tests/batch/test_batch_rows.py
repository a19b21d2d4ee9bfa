import datetime as dt
import json
from typing import Any

import pytest

from assistant.batch.rows import RowError, outcomes, parse_row, repeated_ids, serialise
from assistant.batch.schema import RESULT_COLUMNS
from assistant.errors import ChartReadyError

NOTE = "PROCEDURE: Lumbar transforaminal epidural steroid injection.\nComplications: none.\n"


@pytest.mark.parametrize(
    ("raw", "code", "phrase"),
    [
        ({"text": NOTE}, "E020", "no note_id"),
        ({"note_id": "  ", "text": NOTE}, "E020", "no note_id"),
        ({"note_id": "a", "text": "  "}, "E002", "empty"),
        ({"note_id": "a", "text": NOTE, "date_of_service": "3/4/25"}, "E020", "YYYY-MM-DD"),
        ({"note_id": "a", "text": NOTE, "claim": "{x"}, "E020", "claim is not JSON"),
        ({"note_id": "a", "text": NOTE, "claim": '{"lines": []}'}, "E010", "lines"),
        ({"note_id": "a", "text": NOTE, "history": '[{"cpt": "1"}]'}, "E010", "date_of_service"),
        ({"note_id": "dup", "text": NOTE}, "E020", "more than once"),
        ({"_corrupt_record": "x"}, "E020", "not a JSON object"),
    ],
)
def test_parse_row_rejects_with_a_code_and_never_quotes_the_note(
    raw: dict[str, Any], code: str, phrase: str
) -> None:
    with pytest.raises(ChartReadyError) as caught:
        parse_row(raw, 4, frozenset({"dup"}))
    assert caught.value.code == code
    assert phrase in str(caught.value)
    assert "row 5" in str(caught.value)
    assert "Lumbar" not in str(caught.value)


def test_parse_row_takes_aliases_and_dates_the_claim() -> None:
    raw = {
        "note_id": " n1 ",
        "note_text": NOTE,
        "date_of_service": "2025-03-04",
        "claim_lines": [{"cpt": "64483"}],
        "payer": "",
    }
    row = parse_row(raw, 0, frozenset())
    assert row.note_id == "n1"
    assert row.text == NOTE
    assert row.payer is None
    assert row.claim is not None
    assert row.claim.date_of_service == dt.date(2025, 3, 4)


def test_repeated_ids_counts_only_ids() -> None:
    assert repeated_ids(["a", "b", "a", None, None]) == {"a"}


def test_outcomes_check_good_rows_and_report_bad_ones_in_order() -> None:
    rows = [(0, {"note_id": "ok", "text": NOTE}), (1, {"note_id": "bad", "text": ""})]
    first, second = list(outcomes(rows, frozenset(), "medicare"))
    assert isinstance(second, RowError)
    assert (second.row, second.note_id, second.code) == (2, "bad", "E002")
    assert not isinstance(first, RowError)
    assert first["payer"] == "medicare"
    assert first["verdict"] == "not_billable_as_documented"
    values, line = serialise(first)
    assert len(values) == len(RESULT_COLUMNS)
    parsed = json.loads(line)
    assert list(parsed) == [c.name for c in RESULT_COLUMNS]
    assert parsed["facts"]["note_id"] == "ok"
    findings_column = [c.name for c in RESULT_COLUMNS].index("findings")
    assert json.loads(values[findings_column]) == parsed["findings"]
    assert parsed["rule_ids"] == [f["rule_id"] for f in parsed["findings"]]


def test_outcomes_report_an_unexpected_failure_by_type_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import assistant.batch.rows as rows_module

    def broken(*_args: object) -> dict[str, Any]:
        raise RuntimeError(NOTE)

    monkeypatch.setattr(rows_module, "check_row", broken)
    (error,) = outcomes([(0, {"note_id": "x", "text": NOTE})], frozenset(), "medicare")
    assert isinstance(error, RowError)
    assert error.code == "E023"
    assert "RuntimeError" in error.problem
    assert "Lumbar" not in error.problem
