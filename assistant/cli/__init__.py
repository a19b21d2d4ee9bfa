"""The ``chartready`` command line (Typer); each command group lives in its own module."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="chartready",
    help="Documentation readiness for interventional pain management notes.",
    no_args_is_help=True,
    add_completion=False,
)

# Command modules register themselves on ``app`` when imported.
_COMMAND_MODULES = ("extract", "evaluate", "risk", "serve", "apikeys", "checks", "users", "learned")
for _module in _COMMAND_MODULES:
    importlib.import_module(f"assistant.cli.{_module}")


def main() -> None:
    """Console-script entry point."""
    app()
