"""Check -> bill -> remit -> import -> retrain, on SQLite and PostgreSQL (``store_url``).

Notes are checked for real into the worklist, synthetic 835s pay or deny them over three
months (plus claims matched to no check), and ``chartready train --from-remittances``
writes a model held out on the last month; a second run that does not beat it leaves
``ACTIVE`` alone.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from assistant.checks.claims import ClaimLine
from assistant.cli import app
from assistant.pipeline import check_note_json
from assistant.remittances import importer
from assistant.remittances.synthetic import SynthClaim, SynthLine, render_835
from assistant.remittances.training import stored_outcomes
from assistant.risk.model import CARD_FILE, MANIFEST_FILE, active_version
from assistant.store import (
    CheckRepository,
    Database,
    ImportRow,
    RemittanceRepository,
    WorklistQueue,
    WorklistRepository,
    worklist_check_args,
)

runner = CliRunner()
MONTHS = (date(2024, 1, 10), date(2024, 2, 12), date(2024, 3, 14))
PER_MONTH = 40
COMPLETE = (
    "Procedure: Lumbar transforaminal epidural steroid injection, left L5-S1.\n"
    "Indication: lumbar radiculopathy with left leg pain for 8 weeks despite physical therapy "
    "and NSAIDs. Pain 7/10.\nInformed consent was obtained. Timeout performed. Under "
    "fluoroscopic guidance the needle was advanced to the left L5-S1 foramen. Omnipaque "
    "contrast confirmed epidural spread without vascular uptake. Dexamethasone 10 mg was "
    "injected. The patient tolerated the procedure well without complications."
)
SPARSE = "Procedure: lumbar epidural steroid injection. Patient tolerated it."
UNMATCHED = ("RT-9001", "RT-9002")


def denied(i: int) -> bool:
    """Sparse notes (odd i) are mostly denied, complete ones sometimes: both outcomes monthly."""
    return i % 4 != 1 if i % 2 else i % 5 == 0


def note_id(month: int, i: int) -> str:
    return f"RT-{month}{i:03d}"


def words(output: str) -> str:
    """CLI output with runs of whitespace (wrapping, table padding) made one space."""
    return " ".join(output.split())


def check_into_store(database: Database) -> None:
    """Import the notes as a worklist batch and check every one with the real checker."""
    rows = [
        ImportRow(
            note_id=note_id(m, i),
            provider="dr-a",
            date_of_service=day,
            payer="medicare",
            note_text=SPARSE if i % 2 else COMPLETE,
            claim_lines=[ClaimLine(cpt="64483", modifiers=["LT"], charge=800.0)],
        )
        for m, day in enumerate(MONTHS)
        for i in range(PER_MONTH)
    ]
    with database.session() as session:
        WorklistRepository(session).import_batch("retrain.csv", rows, "tester")
    queue = WorklistQueue(database)
    while (item := queue.claim_next()) is not None:
        queue.record(item, check_note_json(*worklist_check_args(item)))


def remit(m: int, day: date, i: int) -> SynthClaim:
    """The payer's answer for one note: denied CO-50, or paid after the contractual CO-45."""
    if denied(i):
        line = SynthLine("64483", 80000, 0, (("CO", "50", 80000),), modifiers=("LT",))
        return SynthClaim(note_id(m, i), day, (line,), status="4")
    line = SynthLine("64483", 80000, 52000, (("CO", "45", 28000),), modifiers=("LT",))
    return SynthClaim(note_id(m, i), day, (line,))


def bill_and_import(database: Database, tmp_path: Path) -> None:
    """One 835 per month for the checked notes (March adds two claims nobody checked)."""
    for m, day in enumerate(MONTHS):
        claims = [remit(m, day, i) for i in range(PER_MONTH)]
        if m == 2:
            line = SynthLine("64493", 50000, 0, (("CO", "50", 50000),))
            claims += [SynthClaim(pcn, day, (line,), status="4") for pcn in UNMATCHED]
        path = tmp_path / f"m{m}.835"
        paid_on = date(day.year, day.month, 28)
        path.write_text(render_835(claims, control_number=m + 1, paid_on=paid_on))
        importer.import_file(database, path, "biller")


def test_remitted_outcomes_label_the_stored_checks(database: Database, tmp_path: Path) -> None:
    check_into_store(database)
    bill_and_import(database, tmp_path)
    with database.session() as session:
        gathered = stored_outcomes(RemittanceRepository(session))
    assert len(gathered.outcomes) == 3 * PER_MONTH
    assert dict(gathered.excluded) == {"unmatched": len(UNMATCHED)}
    by_month = {o.date_of_service.month for o in gathered.outcomes}
    assert by_month == {1, 2, 3}
    first = gathered.outcomes[0]
    assert first.where.startswith("remittance claim ")
    assert first.claim is not None and first.result["facts"]["procedures"]
    denials = [o for o in gathered.outcomes if o.outcome == "denied"]
    assert len(denials) == sum(denied(i) for i in range(PER_MONTH)) * 3
    assert {o.carc for o in denials} == {("CO-50",)}


def test_an_api_check_is_labelled_by_the_claim_that_stands(
    database: Database, tmp_path: Path
) -> None:
    """Paid, reversed, then corrected to a denial: only the correction labels the check."""
    day = MONTHS[0]
    result = check_note_json(SPARSE, "RT-API1", "medicare", None, "claim")
    with database.session() as session:
        CheckRepository(session).add(
            note_id="RT-API1", note_sha256="0" * 64, payer="medicare", verdict="x", result=result
        )
    paid = (SynthLine("64483", 80000, 52000, (("CO", "45", 28000),)),)
    denial = (SynthLine("64483", 80000, 0, (("CO", "50", 80000),)),)
    files = [  # the payment, then (another file) its reversal and correction
        [SynthClaim("RT-API1", day, paid, payer_claim_number="P1")],
        [
            SynthClaim("RT-API1", day, paid, status="22", payer_claim_number="P1"),
            SynthClaim("RT-API1", day, denial, payer_claim_number="P1B", original_reference="P1"),
        ],
    ]
    for n, claims in enumerate(files, start=1):
        path = tmp_path / f"api{n}.835"
        path.write_text(render_835(claims, control_number=n))
        importer.import_file(database, path, "biller")
    with database.session() as session:
        gathered = stored_outcomes(RemittanceRepository(session))
    (only,) = gathered.outcomes
    assert (only.outcome, only.claim, only.date_of_service, only.lines) == ("denied", None, day, 1)
    assert only.result == result
    assert dict(gathered.excluded) == {"reversed_or_superseded": 2}


def test_train_from_remittances_round_trip(database: Database, tmp_path: Path) -> None:
    check_into_store(database)
    bill_and_import(database, tmp_path)
    root = tmp_path / "models"
    args = ["train", "--from-remittances", "--database-url", database.url, "--models-dir"]

    first = runner.invoke(app, [*args, str(root), "--version", "rt1"])
    assert first.exit_code == 0, first.output
    said = words(first.output)
    assert "held-out month │ 2024-03" in said
    assert "remitted lines not used │ 2 lines not used (2 unmatched)" in said
    assert "new model rt1 is now active (no active model to compare: E301" in said
    assert active_version(root) == "rt1"
    manifest = json.loads((root / "rt1" / MANIFEST_FILE).read_text())
    period = manifest["training_data"]["remittances"]
    assert period == {
        "first_service": "2024-01-10",
        "last_service": "2024-03-14",
        "held_out_month": "2024-03",
        "lines_used": 3 * PER_MONTH,
        "lines_excluded": {"unmatched": 2},
    }
    assert manifest["training_data"]["rows"] == 3 * PER_MONTH
    assert (manifest["metrics"]["n_train"], manifest["metrics"]["n_test"]) == (80, 40)
    card = (root / "rt1" / CARD_FILE).read_text()
    assert "dates of service **2024-01-10 to 2024-03-14**" in card
    assert "Held-out month 2024-03" in card

    # The same data again gives the same fit: a tie does not beat the active model.
    again = runner.invoke(app, [*args, str(root), "--version", "rt2"])
    assert again.exit_code == 0, again.output
    said = words(again.output)
    assert "active model rt1 won (log loss on 2024-03: new " in said
    assert said.endswith("; ACTIVE unchanged")
    assert active_version(root) == "rt1"
    assert "**The active model `rt1` won**" in (root / "rt2" / CARD_FILE).read_text()


def test_train_from_remittances_refuses_activate(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["train", "--from-remittances", "--activate", "--models-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "activates only a model that beats the active one" in result.output
