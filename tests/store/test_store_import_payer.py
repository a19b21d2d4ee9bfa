"""A worklist batch naming an unknown payer is refused at import, with the allowed ids (E024)."""

from __future__ import annotations

import pytest

from assistant.checks import load_registry
from assistant.errors import Errors
from assistant.store import BatchImportError, parse_batch
from assistant.store.importing import known_payers

HEADER = b"note_id,provider,date_of_service,payer,note_text\n"


def test_known_payers_are_the_registry_profiles() -> None:
    assert known_payers() == sorted(load_registry().payers)
    assert "medicare" in known_payers()


def test_unknown_payer_names_the_row_and_lists_the_allowed_ids() -> None:
    body = HEADER + b"a-1,Dr A,2026-10-01,medicare,t\na-2,Dr A,2026-10-02,acme-health,t\n"
    with pytest.raises(BatchImportError) as caught:
        parse_batch(body, "batch.csv")
    (message,) = caught.value.errors
    assert message.startswith("line 3 (note 'a-2') [payer] unknown payer 'acme-health'")
    assert message.endswith(", ".join(known_payers()))
    assert caught.value.codes == [Errors.E024.code]
    assert Errors.E024.code not in (Errors.E001.code, Errors.E011.code, Errors.E020.code)


def test_other_problems_carry_no_payer_code() -> None:
    with pytest.raises(BatchImportError) as caught:
        parse_batch(HEADER + b"a-1,Dr A,2026-13-01,medicare,t\n", "batch.csv")
    assert caught.value.codes == []


def test_allowed_payers_can_be_given() -> None:
    body = HEADER + b"a-1,Dr A,2026-10-01,acme-health,t\n"
    (row,) = parse_batch(body, "batch.csv", payers={"acme-health"})
    assert row.payer == "acme-health"
    with pytest.raises(BatchImportError, match="the allowed payer ids are: other"):
        parse_batch(body, "batch.csv", payers={"other"})
