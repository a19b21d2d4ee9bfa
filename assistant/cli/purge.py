"""``chartready purge --older-than DAYS``: delete stored checks, notes and remittances past an age.

The same purge the server runs on its housekeeping schedule when
``CHARTREADY_RETENTION_DAYS`` is set (``assistant.store.retention``); this is the command for
a one-off clean-up or a cron job. It prints counts only, never note text.
"""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import app, fail


@app.command()
def purge(
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than",
            metavar="DAYS",
            help="Delete what was stored more than DAYS days ago (a positive number).",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be deleted.")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Overrides CHARTREADY_DATABASE_URL.")
    ] = None,
) -> None:
    """Delete stored checks, CDS feedback, worklist batches and imported 835 remittances.

    One transaction: everything older than the cut-off goes, or nothing. Audits are kept;
    their sampled notes that were purged are marked as such.
    """
    from assistant.store import Database
    from assistant.store.retention import purge_database, retention_cutoff

    try:
        cutoff = retention_cutoff(older_than)
    except ValueError as exc:
        raise fail(f"--older-than: {exc}") from None
    database = Database(database_url)
    try:
        database.migrate()
        counts = purge_database(database, cutoff, dry_run=dry_run)
    finally:
        database.dispose()
    verb = "Would delete" if dry_run else "Deleted"
    typer.echo(f"{verb} (stored more than {older_than} days ago):")
    for name, count in counts.rows():
        typer.echo(f"  {name}: {count}")
