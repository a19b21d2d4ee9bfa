"""``chartready serve``: run the API and web pages under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import app


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Overrides CHARTREADY_DATABASE_URL.")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    workers: Annotated[
        int, typer.Option(min=1, max=16, help="Worker processes (each builds its own reader).")
    ] = 1,
) -> None:
    """Serve api.main:app; creates the database tables first."""
    import os

    import uvicorn

    from api.requestid import uvicorn_log_config
    from assistant.store import Database

    if database_url:
        os.environ["CHARTREADY_DATABASE_URL"] = database_url
    database = Database(database_url)
    database.create_tables()
    database.dispose()
    typer.echo(f"ChartReady on http://{host}:{port}/ (database {database.display_url})")
    uvicorn.run(
        "api.main:app",
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,  # ChartReady writes its own access line, with the request id
        log_config=uvicorn_log_config(log_level),
        workers=workers,
    )
