"""``chartready serve``: run the API and web pages under uvicorn."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Annotated

import typer

from assistant.cli import app


def server_implementations() -> tuple[str, str]:
    """``(event loop, HTTP parser)`` for uvicorn: uvloop and httptools when importable.

    Both are pinned dependencies and cut the server's own CPU per request; the fallbacks
    (asyncio, h11) keep ``serve`` working where no wheel exists (uvloop has none for Windows).
    """
    loop = "uvloop" if find_spec("uvloop") is not None else "asyncio"
    http = "httptools" if find_spec("httptools") is not None else "h11"
    return loop, http


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Overrides CHARTREADY_DATABASE_URL.")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    reader_processes: Annotated[
        int | None,
        typer.Option(
            "--reader-processes",
            min=0,
            max=16,
            help="Reader processes that take checks in turn (default: one per core on 2+ "
            "cores; 0 reads in the serving process). Overrides CHARTREADY_READER_PROCESSES.",
        ),
    ] = None,
) -> None:
    """Serve api.main:app in one process (it owns the worklist) with its reader processes.

    Creates the database tables first.
    """
    import os

    import uvicorn

    from api.requestid import uvicorn_log_config
    from assistant.store import Database

    if database_url:
        os.environ["CHARTREADY_DATABASE_URL"] = database_url
    if reader_processes is not None:
        os.environ["CHARTREADY_READER_PROCESSES"] = str(reader_processes)
    database = Database(database_url)
    database.create_tables()
    database.dispose()
    loop, http = server_implementations()
    typer.echo(
        f"ChartReady on http://{host}:{port}/ (database {database.display_url}; {loop} + {http})"
    )
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,  # ChartReady writes its own access line, with the request id
        log_config=uvicorn_log_config(log_level),
        loop=loop,
        http=http,
    )
