"""Latency of ``POST /v1/checks`` on loopback at 1, 8 and 32 concurrent clients.

Starts ``chartready serve`` on a free 127.0.0.1 port with a throw-away SQLite store and API
key (or benchmarks ``--url`` with ``--key``), sends a bounded number of requests per level
(stopping early at ``--seconds``), and prints p50/p95/p99 per level. Notes are read from
``--notes`` (a folder of .txt files) or, without it, a built-in synthetic note sent in
``--max-notes`` variants that differ only in an encounter reference line, so that no server
memo keyed on the text can answer a repeat.

Server and generator share the machine's cores, so the generator is kept light: each
simulated client is a raw HTTP/1.1 keep-alive connection (``_http.py``) sending request bytes
encoded once per note, on uvloop when installed. Its own CPU per request (``process_time``
over the level / requests) is printed as ``client CPU ms/req`` so its cost stays visible.

    .venv/bin/python bench/latency.py --requests 200 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from _http import Connection, HttpError, Target, encode_post, parse_target
from _server import local_server

SYNTHETIC_NOTE = (
    "PROCEDURE NOTE\nPROCEDURE: Left L5-S1 transforaminal epidural steroid injection.\n"
    "INDICATION: Left leg radicular pain for 5 months despite 8 weeks of physical therapy "
    "and NSAIDs; MRI shows a left L5-S1 disc protrusion. Pain 7/10; unable to stand over "
    "20 minutes.\nCONSENT: Risks and benefits were discussed and written informed consent "
    "was obtained.\nTECHNIQUE: Under fluoroscopic guidance the needle was advanced to the "
    "left L5-S1 foramen. Omnipaque 2 mL showed epidural spread without vascular uptake. "
    "Dexamethasone 10 mg with 2 mL of 1% lidocaine was injected. Images were saved.\n"
    "Local anesthesia only, no sedation. No complications. Post-procedure pain 3/10.\n"
)
LEVELS = (1, 8, 32)
CHECKS_PATH = "/v1/checks"
REQUEST_TIMEOUT_S = 60.0
VERDICT_KEY = b'"verdict"'
T = TypeVar("T")


@dataclass(frozen=True)
class LevelResult:
    """Figures for one concurrency level."""

    clients: int
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    throughput_rps: float
    client_cpu_ms_per_req: float


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (``q`` in 0..100)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarise(
    clients: int,
    latencies: list[float],
    errors: int,
    seconds: float,
    client_cpu_s: float = math.nan,
) -> LevelResult:
    """A LevelResult from per-request latencies and the generator's CPU time, in seconds."""
    attempted = len(latencies) + errors
    ordered = sorted(latencies)
    ms = [value * 1000 for value in ordered]
    return LevelResult(
        clients=clients,
        requests=len(latencies),
        errors=errors,
        seconds=round(seconds, 2),
        p50_ms=round(percentile(ms, 50), 1),
        p95_ms=round(percentile(ms, 95), 1),
        p99_ms=round(percentile(ms, 99), 1),
        max_ms=round(ms[-1], 1) if ms else math.nan,
        throughput_rps=round(len(latencies) / seconds, 1) if seconds > 0 else math.nan,
        client_cpu_ms_per_req=round(client_cpu_s * 1000 / attempted, 2) if attempted else math.nan,
    )


def load_notes(folder: Path | None, limit: int) -> list[str]:
    """Up to ``limit`` note texts from ``folder``, or ``limit`` variants of the synthetic note."""
    if folder is None:
        return synthetic_variants(limit)
    notes = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))[:limit]]
    if not notes:
        raise SystemExit(f"no .txt notes in {folder}")
    return notes


def synthetic_variants(count: int) -> list[str]:
    """``count`` copies of the synthetic note, each with its own encounter reference line.

    A real stream of notes never repeats one, so no per-text memo in the server may serve a
    repeat from cache: with more variants than any such memo holds, none can.
    """
    return [f"{SYNTHETIC_NOTE}Encounter reference {index:05d}.\n" for index in range(count)]


def client_loop() -> tuple[str, Callable[[], asyncio.AbstractEventLoop] | None]:
    """The generator's event loop: uvloop when importable (less client CPU), else asyncio."""
    try:
        import uvloop
    except ImportError:
        return "asyncio", None
    return "uvloop", uvloop.new_event_loop


def run_with(
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None,
    coro: Coroutine[Any, Any, T],
) -> T:
    """Run ``coro`` to completion on a fresh loop made by ``loop_factory`` (None: asyncio)."""
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(coro)


def encode_requests(target: Target, key: str, notes: list[str], payer: str) -> list[bytes]:
    """The ``POST /v1/checks`` request bytes for each note, encoded once before timing."""
    return [
        encode_post(target, CHECKS_PATH, key, json.dumps({"note": note, "payer": payer}).encode())
        for note in notes
    ]


def has_verdict(body: bytes) -> bool:
    """True when ``body`` is a JSON object with a ``verdict`` key (a real check result)."""
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return isinstance(document, dict) and "verdict" in document


async def run_level(
    base: str, key: str, notes: list[str], clients: int, total: int, seconds: float, payer: str
) -> LevelResult:
    """Send ``total`` requests from ``clients`` concurrent workers (stop at ``seconds``).

    Each worker is a closed-loop client on its own keep-alive connection. A non-200 status,
    a 200 whose body is not a check result, or any :class:`HttpError` counts as an error.
    """
    target = parse_target(base)
    requests = encode_requests(target, key, notes, payer)
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal issued, errors
        connection = Connection(target, REQUEST_TIMEOUT_S)
        parsed_on = 0  # connection.connects when a body was last fully JSON-parsed
        try:
            while issued < total and time.perf_counter() < deadline:
                raw = requests[issued % len(requests)]
                issued += 1
                started = time.perf_counter()
                try:
                    response = await connection.request(raw)
                except HttpError:
                    errors += 1
                    continue
                elapsed = time.perf_counter() - started
                # Parsing ~7 KB of JSON costs 0.06-0.2 ms of generator CPU, so only a
                # connection's first 200 is parsed; later ones get a byte search (~1 us).
                if parsed_on != connection.connects:
                    valid = response.status == 200 and has_verdict(response.body)
                    parsed_on = connection.connects if valid else parsed_on
                else:
                    valid = response.status == 200 and VERDICT_KEY in response.body
                if valid:
                    latencies.append(elapsed)
                else:
                    errors += 1
        finally:
            await connection.aclose()

    started = time.perf_counter()
    cpu_started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(clients)))
    cpu = time.process_time() - cpu_started
    wall = time.perf_counter() - started
    return summarise(clients, latencies, errors, wall, cpu)


def print_table(results: list[LevelResult]) -> None:
    """The figures as a Markdown table."""
    print(
        "| clients | requests | errors | p50 ms | p95 ms | p99 ms | max ms | req/s "
        "| client CPU ms/req |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.clients} | {r.requests} | {r.errors} | {r.p50_ms} | {r.p95_ms} | "
            f"{r.p99_ms} | {r.max_ms} | {r.throughput_rps} | {r.client_cpu_ms_per_req} |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="benchmark this running server instead of starting one")
    parser.add_argument("--key", help="API key for --url")
    parser.add_argument("--notes", type=Path, help="folder of .txt notes to send in turn")
    parser.add_argument(
        "--max-notes", type=int, default=64, help="notes read from --notes, or synthetic variants"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per level")
    parser.add_argument("--seconds", type=float, default=60.0, help="time cap per level")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests first")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--payer", default="commercial")
    parser.add_argument(
        "--reader-processes", type=int, help="the server's reader processes (default: its own)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.url and not args.key:
        parser.error("--url needs --key")
    if args.url:
        try:
            parse_target(args.url)
        except ValueError as exc:
            parser.error(str(exc))
    if min(args.levels) < 1 or args.requests < 1 or args.seconds <= 0:
        parser.error("levels, requests and seconds must be positive")
    notes = load_notes(args.notes, args.max_notes)

    loop_name, loop = client_loop()

    def measure(base: str, key: str) -> list[LevelResult]:
        run_with(loop, run_level(base, key, notes, 1, args.warmup, args.seconds, args.payer))
        return [
            run_with(
                loop, run_level(base, key, notes, level, args.requests, args.seconds, args.payer)
            )
            for level in args.levels
        ]

    stack = readers = ""
    if args.url:
        results = measure(args.url.rstrip("/"), args.key)
    else:
        with local_server(startup_seconds=180, reader_processes=args.reader_processes) as server:
            results = measure(server.base, server.key)
            stack = f" ({server.stack})"
            readers = server.readers
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        source = (
            f"{len(notes)} notes from {args.notes}"
            if args.notes
            else f"1 synthetic note in {len(notes)} variants"
        )
        workers = "" if args.url else f"; reader processes {readers}{stack}"
        print(
            f"POST /v1/checks on loopback; {source}; {os.cpu_count()} CPUs; "
            f"Python {platform.python_version()}{workers}; client: raw HTTP/1.1 on {loop_name}"
        )
        print_table(results)
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
