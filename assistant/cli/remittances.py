"""``chartready remittances import`` and ``chartready denials report``: 835s in, denials out."""

from __future__ import annotations

import getpass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.cli import app, fail
from assistant.errors import ChartReadyError

remittances_app = typer.Typer(
    name="remittances",
    help="Import X12 835 remittance advice (database from CHARTREADY_DATABASE_URL).",
    no_args_is_help=True,
)
denials_app = typer.Typer(
    name="denials",
    help="Denial reports from imported remittances.",
    no_args_is_help=True,
)
app.add_typer(remittances_app)
app.add_typer(denials_app)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides CHARTREADY_DATABASE_URL."),
]


class ReportFormat(StrEnum):
    """Output formats of the denial report."""

    json = "json"
    csv = "csv"
    html = "html"


def _dollars(cents: int) -> str:
    from assistant.remittances.report import dollars

    return f"${dollars(cents)}"


@remittances_app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(help="835 files (each imported whole or not).")],
    user: Annotated[
        str | None, typer.Option("--user", help="Recorded as the importer (default: login).")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Validate and import 835 files; one transaction per file, bad files reported by code."""
    from assistant.remittances.importer import import_file
    from assistant.store import Database

    err = Console(stderr=True)
    table = Table(
        "file",
        "claims",
        "lines",
        "paid",
        "partial",
        "denied",
        "pt resp",
        "matched",
        "paid $",
        "denied $",
    )
    failed = 0
    database = Database(database_url)
    try:
        database.migrate()
        for path in files:
            try:
                summary = import_file(database, path, user or getpass.getuser())
            except ChartReadyError as exc:
                failed += 1
                err.print(
                    f"[red]error[/red] {escape(f'{exc.code} {exc}')}",
                    highlight=False,
                    soft_wrap=True,
                )
                continue
            except OSError as exc:
                failed += 1
                err.print(
                    f"[red]error[/red] {escape(f'{path.name}: cannot read ({exc.strerror})')}",
                    highlight=False,
                    soft_wrap=True,
                )
                continue
            if summary.already_imported:
                table.add_row(
                    path.name,
                    str(summary.claims),
                    str(summary.lines),
                    "already imported",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                )
                continue
            counts = summary.outcomes
            table.add_row(
                path.name,
                str(summary.claims),
                str(summary.lines),
                str(counts.get("paid", 0)),
                str(counts.get("partially_paid", 0)),
                str(counts.get("denied", 0)),
                str(counts.get("patient_responsibility", 0)),
                f"{summary.matched_claims}/{summary.claims}",
                _dollars(summary.paid_cents),
                _dollars(summary.denied_cents),
            )
    finally:
        database.dispose()
    if table.row_count:
        Console().print(table)
    if failed:
        raise fail(f"{failed} of {len(files)} file(s) not imported")


@denials_app.command("report")
def report(
    month: Annotated[str, typer.Option("--month", help="Dates of service in YYYY-MM.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.json
    ),
    out: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Denial and first-pass rates, top reasons, and what the checker flagged before billing."""
    from assistant.remittances import report as denial_report
    from assistant.store import Database, RemittanceRepository, WorklistRepository
    from assistant.store.worklist import month_bounds

    try:
        month_bounds(month)
    except ValueError as exc:
        raise fail(str(exc)) from None
    database = Database(database_url)
    try:
        database.migrate()
        with database.session() as session:
            built = denial_report.build_report(
                RemittanceRepository(session), WorklistRepository(session), month
            )
    except ChartReadyError as exc:
        raise fail(exc) from None
    finally:
        database.dispose()
    render = {
        ReportFormat.json: denial_report.to_json,
        ReportFormat.csv: denial_report.to_csv,
        ReportFormat.html: denial_report.to_html,
    }[fmt]
    text = render(built)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        Console(stderr=True).print(f"wrote {out}", highlight=False)
