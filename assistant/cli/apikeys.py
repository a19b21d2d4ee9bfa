"""``chartready apikeys``: create, revoke and list the API keys that plugins send."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app
from assistant.store import ApiKeyRepository, Database

apikeys_app = typer.Typer(
    name="apikeys",
    help="API keys for plugins (database from CHARTREADY_DATABASE_URL).",
    no_args_is_help=True,
)
app.add_typer(apikeys_app)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides CHARTREADY_DATABASE_URL."),
]


def _database(url: str | None) -> Database:
    database = Database(url)
    database.create_tables()
    return database


@apikeys_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A unique name for the plugin or client.")],
    database_url: DatabaseOption = None,
) -> None:
    """Create a key; the key itself is the last word printed, shown only this once."""
    database = _database(database_url)
    try:
        with database.session() as session:
            new = ApiKeyRepository(session).create(name)
    except ValueError as exc:
        Console(stderr=True).print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(code=1) from None
    finally:
        database.dispose()
    typer.echo(f"Created API key {new.id} '{new.name}'. Store it now; it is not shown again:")
    typer.echo(new.secret)


@apikeys_app.command("revoke")
def revoke(
    id_or_name: Annotated[str, typer.Argument(help="The key's id or name.")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke a key; requests with it are refused from now on."""
    database = _database(database_url)
    try:
        with database.session() as session:
            row = ApiKeyRepository(session).revoke(id_or_name)
            found = None if row is None else (row.id, row.name)
    finally:
        database.dispose()
    if found is None:
        Console(stderr=True).print(f"[red]error[/red] no key matches {id_or_name!r}")
        raise typer.Exit(code=1)
    typer.echo(f"Revoked API key {found[0]} '{found[1]}'.")


@apikeys_app.command("list")
def list_keys(database_url: DatabaseOption = None) -> None:
    """List keys (prefix, state, dates); the keys themselves are never stored."""
    database = _database(database_url)
    table = Table(title="API keys")
    for column in ("id", "name", "prefix", "state", "created", "last used"):
        table.add_column(column)
    try:
        with database.session() as session:
            for row in ApiKeyRepository(session).list_keys():
                table.add_row(
                    str(row.id),
                    row.name,
                    row.prefix + "…",
                    "active" if row.active else "revoked",
                    row.created_at.isoformat(timespec="seconds"),
                    row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "-",
                )
    finally:
        database.dispose()
    Console().print(table)
