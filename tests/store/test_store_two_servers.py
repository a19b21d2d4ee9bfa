"""Two real ``chartready serve`` processes on one PostgreSQL schema check one batch (issue 20).

A coder signs in to server A and imports 30 corpus notes; the worklist loops of both servers
drain the queue. The database then shows every note claimed once, checked once and recorded
once, by the server that claimed it, and both servers taking part.

Who claimed what is recorded by the database itself, so the servers run unchanged: each
server's URL names the same schema and differs only in ``application_name``, and a trigger
(created by this test in the test's schema) logs every ``queue_status`` change with that
name. The trigger also holds each claim open for ``CLAIM_SECONDS``, as a busy database would:
the batch then takes longer than the 2 s poll of server B (only A is woken by the import),
so B's participation does not depend on luck, and every claim B makes while A holds a row
goes through ``FOR UPDATE SKIP LOCKED``.

Server A reads in a thread of its own process, server B in one reader process, so both
runner set-ups are covered; after both are stopped, none of their child processes (B's
reader, multiprocessing's resource tracker) may be left running.
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.web.access import SESSION_COOKIE
from assistant.store import Database, UserRepository

CLI = [sys.executable, "-c", "from assistant.cli import main; main()"]
NOTES = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"
BATCH_SIZE = 30
PASSWORD = "correct-horse-battery"
CLAIM_SECONDS = 0.15  # 30 claims hold >= 4.5 s, well past server B's 2 s poll
STARTUP_SECONDS = 120  # two servers warming their readers at once on a small, busy machine
CHECK_SECONDS = 60
STOP_SECONDS = 20

# Logs each queue_status change of a worklist item with the server that made it (the
# connection's application_name); a claim (-> running) is held open CLAIM_SECONDS.
CLAIM_LOG = """
CREATE TABLE {schema}.claim_log (
    id serial PRIMARY KEY,
    item_id integer NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL,
    server text NOT NULL
);
CREATE FUNCTION {schema}.log_queue_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.queue_status IS DISTINCT FROM OLD.queue_status THEN
        INSERT INTO {schema}.claim_log (item_id, status, attempts, server)
        VALUES (NEW.id, NEW.queue_status, NEW.attempts, current_setting('application_name'));
        IF NEW.queue_status = 'running' THEN
            PERFORM pg_sleep({claim_seconds});
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER log_queue_change AFTER UPDATE ON {schema}.worklist_items
    FOR EACH ROW EXECUTE FUNCTION {schema}.log_queue_change();
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """``(state, parent pid, start time)`` of a process from /proc, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), int(fields[19])


def _descendants(root: int) -> dict[int, int]:
    """Every live process below ``root``: pid -> start time (tells a reused pid apart)."""
    parents: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))) is not None:
            parents.setdefault(stat[1], []).append((int(entry.name), stat[2]))
    found: dict[int, int] = {}
    stack = [root]
    while stack:
        for pid, started in parents.get(stack.pop(), []):
            found[pid] = started
            stack.append(pid)
    return found


def _still_running(processes: dict[int, int]) -> list[int]:
    """The pids of ``processes`` that still run (not gone, not a zombie, not reused)."""
    running = []
    for pid, started in processes.items():
        stat = _proc_stat(pid)
        if stat is not None and stat[0] != "Z" and stat[2] == started:
            running.append(pid)
    return running


@dataclass
class Served:
    """One ``chartready serve`` subprocess, its log file and the children it started."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    children: dict[int, int] = field(default_factory=dict)

    def logs(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> int:
        """SIGTERM (uvicorn's graceful stop), then SIGKILL if it does not end in time."""
        if self.process.poll() is None:
            # Readers replaced since start-up are children too.
            self.children.update(_descendants(self.process.pid))
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode

    def reap_children(self) -> list[int]:
        """Wait (a few seconds) for this server's children to end; kill and return any left."""
        deadline = time.monotonic() + 10
        while (left := _still_running(self.children)) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        return left


def _serve(name: str, url: str, readers: int, workdir: Path) -> Served:
    # Same schema, same credentials: only the connection's application_name tells them apart.
    server_url = make_url(url).update_query_dict({"application_name": name})
    env = {
        **os.environ,
        "CHARTREADY_DATABASE_URL": server_url.render_as_string(hide_password=False),
        "CHARTREADY_READER_PROCESSES": str(readers),
        "CHARTREADY_WARM_UP": "1",  # load the reader before serving, in parallel on both
    }
    port = _free_port()
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Served(name, process, f"http://127.0.0.1:{port}", log)


def _wait_ready(servers: list[Served]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    waiting = list(servers)
    while waiting:
        server = waiting[0]
        assert server.process.poll() is None, f"{server.name} exited:\n{server.logs()[-3000:]}"
        try:
            if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                server.children = _descendants(server.process.pid)
                waiting.pop(0)
                continue
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{server.name} not ready in {STARTUP_SECONDS} s")
        time.sleep(0.2)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match is not None, "no CSRF field on the page"
    return match.group(1)


def _batch_csv(notes: list[Path]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["note_id", "provider", "date_of_service", "payer", "note_text"])
    for number, path in enumerate(notes):
        note = path.read_text(encoding="utf-8")
        writer.writerow([path.stem, f"P{number % 3}", "2026-10-01", "medicare", note])
    return out.getvalue().encode()


def _sign_in_and_import(server: Served, notes: list[Path], http: httpx.Client) -> int:
    """Sign in as the coder on ``server`` and import the batch as the web form does."""
    token = _csrf(http.get(f"{server.base}/login").text)
    form = {"username": "coder", "password": PASSWORD, "csrf": token, "next": "/"}
    signed_in = http.post(f"{server.base}/login", data=form)
    assert signed_in.status_code == 303, signed_in.text[:500]
    token = _csrf(http.get(f"{server.base}/worklist/import").text)
    files = {"file": ("two-servers.csv", _batch_csv(notes), "text/csv")}
    imported = http.post(f"{server.base}/worklist/import", data={"csrf": token}, files=files)
    assert imported.status_code == 303, imported.text[:500]
    return int(imported.headers["location"].rsplit("=", 1)[1])


def _wait_checked(server: Served, session: str, batch_id: int) -> dict[str, int]:
    """Poll ``server``'s progress of the batch (the session works there too: one store)."""
    deadline = time.monotonic() + CHECK_SECONDS
    cookies = {SESSION_COOKIE: session}
    while True:
        progress = httpx.get(
            f"{server.base}/worklist/batches/{batch_id}/progress", cookies=cookies, timeout=10
        ).json()
        if progress["finished"]:
            return dict(progress)
        if time.monotonic() > deadline:
            pytest.fail(f"batch not checked in {CHECK_SECONDS} s: {progress}")
        time.sleep(0.2)


@pytest.fixture
def shared_schema(postgres_schema_url: str) -> Iterator[str]:
    """The test schema, migrated, with a coder and the claim log (see the module docstring)."""
    database = Database(postgres_schema_url)
    database.migrate()
    with database.session() as session:
        UserRepository(session).create("coder", "coder", PASSWORD)
        schema = str(session.execute(text("SELECT current_schema()")).scalar_one())
        sql = CLAIM_LOG.format(schema=f'"{schema}"', claim_seconds=CLAIM_SECONDS)
        session.connection().exec_driver_sql(sql)
    database.dispose()
    yield postgres_schema_url


def test_two_servers_check_a_batch_exactly_once(shared_schema: str, tmp_path: Path) -> None:
    notes = sorted(NOTES.glob("*.txt"))[:BATCH_SIZE]
    assert len(notes) == BATCH_SIZE, f"the corpus at {NOTES} has fewer than {BATCH_SIZE} notes"
    servers: list[Served] = []
    orphans: dict[str, list[int]] = {}
    try:
        for name, readers in (("server-a", 0), ("server-b", 1)):
            servers.append(_serve(name, shared_schema, readers, tmp_path))
        _wait_ready(servers)
        a, b = servers
        with httpx.Client(timeout=30, follow_redirects=False) as http:
            batch_id = _sign_in_and_import(a, notes, http)
            session = http.cookies[SESSION_COOKIE]
        progress = _wait_checked(b, session, batch_id)
    finally:
        for server in servers:
            server.stop()
        for server in servers:
            orphans[server.name] = server.reap_children()
    codes = {server.name: server.process.returncode for server in servers}
    logs = {server.name: server.logs() for server in servers}

    engine = create_engine(shared_schema)
    with engine.connect() as connection:
        items = connection.execute(
            text("SELECT id, queue_status, attempts, result IS NOT NULL FROM worklist_items")
        ).all()
        log = connection.execute(text("SELECT item_id, status, server FROM claim_log")).all()
    engine.dispose()
    claimed_by = {item: server for item, status, server in log if status == "running"}
    recorded_by = {item: server for item, status, server in log if status == "done"}
    changes = Counter((item, status) for item, status, _ in log)

    assert progress == {
        "batch_id": batch_id,
        "total": BATCH_SIZE,
        "done": BATCH_SIZE,
        "failed": 0,
        "finished": True,
    }
    assert len(items) == BATCH_SIZE
    assert {(status, attempts, has_result) for _, status, attempts, has_result in items} == {
        ("done", 1, True)
    }
    ids = {row[0] for row in items}
    # Each item claimed exactly once and its result written exactly once, nothing else.
    assert changes == Counter({(i, s): 1 for i in ids for s in ("running", "done")})
    assert claimed_by == recorded_by  # by the server that claimed it
    share = Counter(claimed_by.values())
    assert set(share) == {"server-a", "server-b"}, f"one server did all the work: {share}"
    # Stopped by SIGTERM, not killed: uvicorn finishes its shutdown (the lifespan closed the
    # reader pool) and then exits by the signal it caught (or 0 on older uvicorn).
    assert set(codes.values()) <= {0, -signal.SIGTERM}, {n: s[-3000:] for n, s in logs.items()}
    assert all("Application shutdown complete" in output for output in logs.values())
    assert servers[1].children, "server B should have started a reader process"
    assert orphans == {"server-a": [], "server-b": []}, "child processes outlived their server"
    for name, output in logs.items():
        assert "Traceback" not in output, f"{name} logged an error:\n{output[-3000:]}"
