"""The latency bench's raw HTTP/1.1 client (``bench/_http.py``) against a scripted server.

The server is a tiny asyncio one on a free loopback port, in the test's own event loop. Each
request it reads is answered by the next scripted action: raw response bytes, ``CLOSE``
(drop the connection without answering), ``HANG`` (never answer) or :class:`ThenClose`
(write some bytes, then drop the connection).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1]
BENCH_MODULES = ("_http", "latency", "_server")
CLOSE = "close"
HANG = "hang"
KEY = "test-key-123"
VERDICT_BODY = json.dumps({"verdict": "ready", "missing": []}).encode()


def content_length(status: int, body: bytes, extra: str = "") -> bytes:
    """A response framed by Content-Length."""
    head = f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{extra}"
    return f"{head}content-length: {len(body)}\r\n\r\n".encode() + body


def chunked(status: int, chunks: list[bytes]) -> bytes:
    """A chunked response, with a chunk extension on the first chunk and one trailer."""
    out = f"HTTP/1.1 {status} X\r\ntransfer-encoding: chunked\r\n\r\n".encode()
    for i, chunk in enumerate(chunks):
        extension = ";note=x" if i == 0 else ""
        out += f"{len(chunk):x}{extension}\r\n".encode() + chunk + b"\r\n"
    return out + b"0\r\nx-trailer: 1\r\n\r\n"


@dataclass(frozen=True)
class ThenClose:
    """Write ``data`` (say, part of a response), then close the connection."""

    data: bytes


Action = bytes | str | ThenClose


@dataclass
class ScriptedServer:
    """What the server will answer, and what it saw."""

    actions: list[Action]
    port: int = 0
    connections: int = 0
    requests: list[tuple[bytes, dict[str, str], bytes]] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve requests on one connection until the script says close or the client leaves."""
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head[:-4].split(b"\r\n")
                headers = {
                    name.decode().lower(): value.strip().decode()
                    for name, _, value in (line.partition(b":") for line in lines[1:])
                }
                body = await reader.readexactly(int(headers["content-length"]))
                self.requests.append((lines[0], headers, body))
                action = self.actions.pop(0)
                if action == CLOSE:
                    break
                if action == HANG:
                    await asyncio.sleep(30)
                    break
                if isinstance(action, ThenClose):
                    writer.write(action.data)
                    await writer.drain()
                    break
                assert isinstance(action, bytes)
                writer.write(action)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serving(actions: list[Action]) -> AsyncIterator[ScriptedServer]:
    """A ScriptedServer listening on a free 127.0.0.1 port for the duration."""
    script = ScriptedServer(actions)
    server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
    script.port = server.sockets[0].getsockname()[1]
    async with server:
        yield script
        server.close()


@pytest.fixture(scope="module")
def bench() -> Iterator[tuple[ModuleType, ModuleType]]:
    """``bench/_http.py`` and ``bench/latency.py``, imported as the script sees its siblings."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        yield importlib.import_module("_http"), importlib.import_module("latency")
    for name in BENCH_MODULES:
        sys.modules.pop(name, None)


async def _send(
    http: ModuleType, actions: list[Action], sends: int, timeout: float = 5.0
) -> tuple[list[object], ScriptedServer, int]:
    """Send ``sends`` requests on one Connection; each result is a Response or an HttpError."""
    async with serving(actions) as script:
        target = http.parse_target(f"http://127.0.0.1:{script.port}")
        raw = http.encode_post(target, "/v1/checks", KEY, b'{"note":"x"}')
        connection = http.Connection(target, timeout)
        results: list[object] = []
        for _ in range(sends):
            try:
                results.append(await connection.request(raw))
            except http.HttpError as exc:
                results.append(exc)
        await connection.aclose()
    return results, script, connection.connects


def test_bench_http_client_reuses_one_connection_and_sends_the_encoded_request(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    http, _ = bench
    bodies = [f'{{"verdict":"ok","n":{i}}}'.encode() for i in range(5)]
    actions: list[Action] = [content_length(200, body) for body in bodies]
    results, script, connects = asyncio.run(_send(http, actions, 5))
    assert [(r.status, r.body) for r in results] == [(200, body) for body in bodies]
    assert (script.connections, connects) == (1, 1)
    request_line, headers, body = script.requests[0]
    assert request_line == b"POST /v1/checks HTTP/1.1"
    assert headers["host"] == f"127.0.0.1:{script.port}"
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["content-type"] == "application/json"
    assert body == b'{"note":"x"}'


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (content_length(200, b"abc"), b"abc"),
        (content_length(200, b""), b""),
        (chunked(200, [b'{"verdict":', b'"ok"}']), b'{"verdict":"ok"}'),
        (chunked(200, [b"x" * 70_000]), b"x" * 70_000),
        (chunked(200, []), b""),
        (b"HTTP/1.1 204 No Content\r\n\r\n", b""),
    ],
    ids=["length", "empty-length", "chunked", "big-chunk", "empty-chunked", "no-content"],
)
def test_bench_http_client_reads_exactly_one_framed_body(
    bench: tuple[ModuleType, ModuleType], response: bytes, expected: bytes
) -> None:
    http, _ = bench
    follow_up = content_length(200, b"next")
    results, script, _ = asyncio.run(_send(http, [response, follow_up], 2))
    assert [r.body for r in results] == [expected, b"next"]  # framing left the stream in step
    assert script.connections == 1


@pytest.mark.parametrize(
    "bad",
    [
        CLOSE,
        ThenClose(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"),
        ThenClose(b"HTTP/1.1 200 OK\r\ncontent-le"),
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\ncontent-length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nread until close",
        b"HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
    ],
    ids=[
        "closed",
        "truncated-body",
        "truncated-head",
        "not-http",
        "bad-status",
        "bad-header",
        "unframed",
        "negative-length",
        "bad-chunk",
        "gzip-encoding",
        "interim",
    ],
)
def test_bench_http_client_fails_then_recovers_on_a_new_connection(
    bench: tuple[ModuleType, ModuleType], bad: Action
) -> None:
    http, _ = bench
    actions: list[Action] = [content_length(200, b"a"), bad, content_length(200, b"b")]
    results, script, connects = asyncio.run(_send(http, actions, 3))
    assert isinstance(results[1], http.HttpError)
    assert [r.body for r in (results[0], results[2])] == [b"a", b"b"]
    assert (script.connections, connects) == (2, 2)


def test_bench_http_client_times_out_and_recovers(bench: tuple[ModuleType, ModuleType]) -> None:
    http, _ = bench
    results, _, connects = asyncio.run(_send(http, [HANG, content_length(200, b"ok")], 2, 0.3))
    assert isinstance(results[0], http.HttpError)
    assert "within 0.3 s" in str(results[0])
    assert (results[1].status, connects) == (200, 2)


def test_bench_http_client_reconnects_when_the_server_asks_to_close(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    http, _ = bench
    closing = content_length(200, b"a", extra="connection: close\r\n")
    results, script, connects = asyncio.run(_send(http, [closing, content_length(200, b"b")], 2))
    assert [r.body for r in results] == [b"a", b"b"]
    assert (script.connections, connects) == (2, 2)


def test_bench_http_client_refused_connection_is_an_error(
    bench: tuple[ModuleType, ModuleType],
) -> None:
    http, _ = bench

    async def refused() -> object:
        async with serving([]) as script:
            port = script.port
        connection = http.Connection(http.parse_target(f"http://127.0.0.1:{port}"), 2.0)
        with pytest.raises(http.HttpError):
            await connection.request(b"GET / HTTP/1.1\r\n\r\n")
        return connection.connects

    assert asyncio.run(refused()) == 0


@pytest.mark.parametrize(
    ("url", "authority", "base_path"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", ""),
        ("http://example.test/api/", "example.test", "/api"),
        ("https://example.test:443", "example.test", ""),
    ],
)
def test_bench_http_client_parses_base_urls(
    bench: tuple[ModuleType, ModuleType], url: str, authority: str, base_path: str
) -> None:
    http, _ = bench
    target = http.parse_target(url)
    assert (target.authority, target.base_path) == (authority, base_path)
    raw = http.encode_post(target, "/v1/checks", KEY, b"{}")
    assert raw.startswith(f"POST {base_path}/v1/checks HTTP/1.1\r\nHost: {authority}\r\n".encode())
    assert raw.endswith(b"Content-Length: 2\r\n\r\n{}")


@pytest.mark.parametrize("url", ["ftp://example.test", "127.0.0.1:8000", "http://"])
def test_bench_http_client_refuses_non_http_urls(
    bench: tuple[ModuleType, ModuleType], url: str
) -> None:
    http, _ = bench
    with pytest.raises(ValueError, match="not an http"):
        http.parse_target(url)


@pytest.mark.parametrize(
    ("actions", "requests", "errors"),
    [
        ([content_length(200, VERDICT_BODY)] * 4, 4, 0),
        ([content_length(401, b'{"detail":"bad key"}')] * 4, 0, 4),
        (
            [content_length(200, VERDICT_BODY), CLOSE, *[content_length(200, VERDICT_BODY)] * 2],
            3,
            1,
        ),
        ([content_length(200, b'{"detail":"no verdict"}')] * 4, 0, 4),  # 200 but not a check
        ([content_length(200, b"not json"), *[content_length(200, VERDICT_BODY)] * 3], 3, 1),
        ([content_length(200, VERDICT_BODY), content_length(200, b'{"detail":"later"}')], 1, 1),
        (
            [
                content_length(200, VERDICT_BODY),
                chunked(200, [VERDICT_BODY[:5], VERDICT_BODY[5:]]),
                content_length(429, b"{}"),
                content_length(200, VERDICT_BODY),
            ],
            3,
            1,
        ),
    ],
    ids=[
        "all-ok",
        "401",
        "closed-midway",
        "no-verdict",
        "first-not-json",
        "later-no-verdict",
        "mixed",
    ],
)
def test_bench_http_client_run_level_counts_errors_and_keeps_going(
    bench: tuple[ModuleType, ModuleType], actions: list[Action], requests: int, errors: int
) -> None:
    _, latency = bench

    async def level() -> tuple[object, ScriptedServer]:
        async with serving(list(actions)) as script:
            base = f"http://127.0.0.1:{script.port}"
            result = await latency.run_level(base, KEY, ["note"], 1, len(actions), 10.0, "x")
        return result, script

    result, script = asyncio.run(level())
    assert (result.requests, result.errors) == (requests, errors)
    assert result.client_cpu_ms_per_req > 0
    assert json.loads(script.requests[0][2]) == {"note": "note", "payer": "x"}


@pytest.mark.parametrize("count", [1, 17, 64])
def test_bench_latency_synthetic_variants_never_repeat_a_text(
    bench: tuple[ModuleType, ModuleType], count: int
) -> None:
    _, latency = bench
    notes = latency.load_notes(None, count)
    assert len(notes) == len(set(notes)) == count
    assert all(note.startswith(latency.SYNTHETIC_NOTE) for note in notes)
