"""The ``chartready`` command line (Typer); each command group lives in its own module."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from assistant.errors import ChartReadyError

app = typer.Typer(
    name="chartready",
    help="Documentation readiness for interventional pain management notes.",
    no_args_is_help=True,
    add_completion=False,
)


def fail(problem: str | ChartReadyError) -> typer.Exit:
    """Print ``error <problem>`` on stderr, a coded error with its code once; exit code 2."""
    message = problem if isinstance(problem, str) else f"{problem.code} {problem}"
    Console(stderr=True).print(
        f"[red]error[/red] {escape(message)}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code=2)


# Command modules register themselves on ``app`` when imported.
_COMMAND_MODULES = (
    "extract",
    "evaluate",
    "risk",
    "serve",
    "apikeys",
    "checks",
    "users",
    "learned",
    "batch",
    "remittances",
    "preauth",
    "authorizations",
    "purge",
    "scenarios",
)
for _module in _COMMAND_MODULES:
    importlib.import_module(f"assistant.cli.{_module}")


def main() -> None:
    """Console-script entry point."""
    app()
