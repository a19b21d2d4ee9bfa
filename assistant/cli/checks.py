"""``chartready check`` and ``chartready checklists validate|list|show|docs``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app, fail

if TYPE_CHECKING:
    from assistant.checks import Claim
    from assistant.pipeline import CheckResult

checklists_app = typer.Typer(help="Validate, list and show checklists.", no_args_is_help=True)
app.add_typer(checklists_app, name="checklists")


class CheckFormat(StrEnum):
    json = "json"
    table = "table"


class DocsFormat(StrEnum):
    markdown = "markdown"
    html = "html"


@app.command()
def check(
    note: Annotated[Path, typer.Argument(help="note text file (UTF-8)")],
    payer: Annotated[str, typer.Option(help="payer profile id")] = "commercial",
    claim: Annotated[Path | None, typer.Option(help="claim JSON")] = None,
    history: Annotated[Path | None, typer.Option(help="procedure history JSON")] = None,
    patient: Annotated[
        str | None,
        typer.Option(
            "--patient",
            help="the practice's patient key: also compare the note with the patient's "
            "stored prior authorizations",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="with --patient: overrides CHARTREADY_DATABASE_URL"),
    ] = None,
    output_format: Annotated[CheckFormat, typer.Option("--format")] = CheckFormat.json,
    fail_if_not_billable: Annotated[
        bool,
        typer.Option(
            help="exit 1 when the verdict is not_billable_as_documented or not_recognised"
        ),
    ] = False,
) -> None:
    """Check one note against the payer's checklists (exit 2 on bad input).

    With ``--fail-if-not-billable`` a pre-sign hook can stop on a not-billable verdict, or
    on a note whose procedure ChartReady could not recognise (check it by hand). With
    ``--patient`` the note is also compared with the patient's authorizations in the store
    (on the claim's date of service, else today): each mismatch is a finding.
    """
    from assistant.checks.claims import load_claim, load_history
    from assistant.errors import ChartReadyError
    from assistant.notes import decode_note
    from assistant.pipeline import check_note

    if patient is not None:
        from api.authorization_checks import MAX_PATIENT_KEY

        patient = patient.strip()
        if not 0 < len(patient) <= MAX_PATIENT_KEY:
            raise fail(f"--patient: give the patient key (1 to {MAX_PATIENT_KEY} characters)")
    try:
        text = decode_note(note.read_bytes(), str(note))
        claim_obj = load_claim(claim) if claim else None
        history_obj = load_history(history) if history else None
        result = check_note(
            text, note_id=note.stem, payer=payer, claim=claim_obj, history=history_obj
        )
        if patient is not None:
            result = _with_authorizations(result, patient, claim_obj, database_url)
    except OSError as exc:
        raise fail(f"{note}: cannot read ({exc.strerror or exc})") from None
    except ChartReadyError as exc:
        raise fail(exc) from None
    if output_format is CheckFormat.json:
        sys.stdout.write(json.dumps(result.to_json_dict(), indent=2) + "\n")
    else:
        table = Table(title=f"{note.name} · {result.verdict} · payer {result.payer}")
        for column in ("severity", "rule", "status", "concerns", "message", "where"):
            table.add_column(column)
        for f in result.findings:
            where = ", ".join(f"{e.start}-{e.end}" for e in f.evidence[:3])
            table.add_row(f.severity, f.rule_id, f.status, ", ".join(f.concerns), f.message, where)
        Console().print(table)
    if fail_if_not_billable and result.verdict in {"not_billable_as_documented", "not_recognised"}:
        raise typer.Exit(code=1)


def _with_authorizations(
    result: CheckResult, patient: str, claim: Claim | None, database_url: str | None
) -> CheckResult:
    """``result`` compared with the patient's stored authorizations (the API's helper)."""
    from api.authorization_checks import check_date, with_authorization_findings
    from assistant.store import Database

    database = Database(database_url)
    try:
        database.migrate()
        return with_authorization_findings(database, result, patient, check_date(claim), claim)
    finally:
        database.dispose()


@checklists_app.command("validate")
def validate(
    directory: Annotated[Path | None, typer.Argument(help="checklist folder")] = None,
) -> None:
    """Validate every checklist, detector, coding, payer and coverage file and the PA table."""
    from assistant.checks.registry import default_checklist_dir, load_registry_from
    from assistant.errors import RuleFileError
    from assistant.preauth.authorization_rules import RULES_FILE, load_authorization_rules_from

    root = directory or default_checklist_dir()
    try:
        registry = load_registry_from(root)
        authorization_rules = load_authorization_rules_from(root / RULES_FILE, registry.payers)
    except RuleFileError as exc:
        raise fail(exc) from None
    count = sum(len(c.elements) for c in registry.all())
    coverage_rules = len(registry.coverage.rules) if registry.coverage else 0
    Console().print(
        f"ok: {len(registry.checklists)} checklists, {count} elements, "
        f"{len(registry.coding.rules)} coding rules, {len(registry.payers)} payers, "
        f"{coverage_rules} coverage-map rules, "
        f"{len(authorization_rules.rules)} prior-authorization rules",
        soft_wrap=True,  # one line, whatever the terminal's width (scripts read it)
    )


@checklists_app.command("list")
def list_checklists() -> None:
    """List checklists with versions and element counts."""
    from assistant.checks import load_registry

    table = Table()
    for column in ("id", "version", "scope", "elements", "title"):
        table.add_column(column)
    for c in load_registry().all():
        families = c.scope.families if c.scope.families == "any" else ",".join(c.scope.families)
        table.add_row(
            c.id, str(c.version), f"{c.scope.mode}:{families}", str(len(c.elements)), c.title
        )
    Console().print(table)


@checklists_app.command("show")
def show(checklist_id: Annotated[str, typer.Argument(help="checklist id")]) -> None:
    """Show one checklist's elements (JSON)."""
    from assistant.checks import load_registry

    try:
        checklist = load_registry().get(checklist_id)
    except KeyError as exc:
        raise fail(str(exc)) from None
    sys.stdout.write(json.dumps(checklist.model_dump(mode="json", by_alias=True), indent=2) + "\n")


@checklists_app.command("docs")
def docs(
    out: Annotated[Path | None, typer.Option(help="file to write (default: stdout)")] = None,
    output_format: Annotated[DocsFormat, typer.Option("--format")] = DocsFormat.markdown,
) -> None:
    """Write the rule reference (every rule: id, symbol, check, source, examples)."""
    from assistant.rule_reference import rule_reference

    page = rule_reference(output_format.value)
    if out is None:
        sys.stdout.write(page + "\n")
        return
    try:
        out.write_text(page + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail(f"{out}: cannot write ({exc.strerror or exc})") from None
