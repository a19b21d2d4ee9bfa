"""A throw-away ``chartready serve`` on a free loopback port, shared by the bench scripts.

The server gets its own temporary SQLite store and one freshly created API key, so a bench
never touches a real database; the subprocess is terminated (then killed) on exit.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# ``chartready serve`` prints "... (database ...; uvloop + httptools)" before it starts.
_STACK = re.compile(r"; (\w+ \+ \w+)\)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RunningServer:
    """Where a started server listens, its API key, pid, loop + parser and reader processes."""

    base: str
    key: str
    pid: int
    stack: str = "unknown"
    readers: str = "unknown"


def server_stack(banner: str) -> str:
    """The event loop + HTTP parser named in ``chartready serve``'s banner, else "unknown"."""
    match = _STACK.search(banner)
    return match.group(1) if match else "unknown"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_server(
    startup_seconds: float, reader_processes: int | None = None
) -> Iterator[RunningServer]:
    """A ``chartready serve`` subprocess on a free loopback port, ready (``/readyz`` 200).

    ``reader_processes`` is passed to ``serve`` when given (else the server's default).
    """
    with tempfile.TemporaryDirectory(prefix="chartready-bench-") as workdir:
        env = {**os.environ, "CHARTREADY_DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3"}
        cli = [sys.executable, "-c", "from assistant.cli import main; main()"]
        created = subprocess.run(
            [*cli, "apikeys", "create", "bench"],
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            check=True,
        )
        key = created.stdout.split()[-1]
        port = free_port()
        command = [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)]
        if reader_processes is not None:
            command += ["--reader-processes", str(reader_processes)]
        banner = Path(workdir) / "serve.out"
        with banner.open("wb") as out:
            server = subprocess.Popen(
                [*command, "--log-level", "warning"],
                env=env,
                cwd=workdir,
                stdout=out,
                stderr=subprocess.DEVNULL,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + startup_seconds
            readers = "unknown"
            while True:
                if server.poll() is not None:
                    raise SystemExit("the server exited during start-up")
                if time.monotonic() > deadline:
                    raise SystemExit("the server was not ready in time")
                try:
                    ready = httpx.get(f"{base}/readyz", timeout=2)
                    if ready.status_code == 200:
                        readers = str(ready.json().get("checks", {}).get("readers", readers))
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.25)
            stack = server_stack(banner.read_text(encoding="utf-8", errors="replace"))
            yield RunningServer(base=base, key=key, pid=server.pid, stack=stack, readers=readers)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)
