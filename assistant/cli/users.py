"""``chartready users``: create, list and unlock the staff who sign in to the web pages."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app
from assistant.store import Database, UserRepository
from assistant.store.sign_in_guard import SignInGuard

users_app = typer.Typer(
    name="users",
    help="Staff users of the web pages (database from CHARTREADY_DATABASE_URL).",
    no_args_is_help=True,
)
app.add_typer(users_app)


class RoleChoice(StrEnum):
    """The roles a staff user can have."""

    provider = "provider"
    coder = "coder"
    quality_lead = "quality_lead"
    admin = "admin"


DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", help="Overrides CHARTREADY_DATABASE_URL."),
]


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(f"[red]error[/red] {message}", highlight=False)
    return typer.Exit(code=1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The user's sign-in name (unique).")],
    role: Annotated[RoleChoice, typer.Option("--role", help="What the user may do.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Create a user; the password is prompted for (or read from stdin) and stored hashed."""
    password = _read_password(password_stdin)
    database = Database(database_url)
    try:
        database.migrate()
        with database.session() as session:
            user = UserRepository(session).create(name, role.value, password)
            user_id = user.id
    except ValueError as exc:
        raise _fail(str(exc)) from None
    finally:
        database.dispose()
    typer.echo(f"Created user {user_id} '{name.strip()}' ({role.value}).")


@users_app.command("list")
def list_users(database_url: DatabaseOption = None) -> None:
    """List users with their roles (never passwords)."""
    database = Database(database_url)
    try:
        database.migrate()
        with database.session() as session:
            rows = [
                (u.id, u.name, u.role, u.created_at.strftime("%Y-%m-%d"), u.disabled_at is None)
                for u in UserRepository(session).list_users()
            ]
    finally:
        database.dispose()
    table = Table("id", "name", "role", "created", "active")
    for user_id, name, role, created, active in rows:
        table.add_row(str(user_id), name, role, created, "yes" if active else "no")
    Console().print(table)


@users_app.command("unlock")
def unlock(
    name: Annotated[str, typer.Argument(help="The locked account's sign-in name.")],
    database_url: DatabaseOption = None,
) -> None:
    """Lift a sign-in lock on an account after too many failed passwords (logged)."""
    database = Database(database_url)
    try:
        database.migrate()
        with database.session() as session:
            cleared = SignInGuard(session).unlock(name.strip())
    finally:
        database.dispose()
    typer.echo(f"Unlocked '{name.strip()}' ({cleared} failed sign-ins cleared).")
