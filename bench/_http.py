"""A minimal HTTP/1.1 keep-alive client for load generation, on ``asyncio.open_connection``.

General clients (httpx) spend milliseconds of CPU per request building and parsing objects;
on a 2-core box that CPU is taken from the server being measured. This client sends
pre-encoded request bytes and parses a response only as far as framing needs: status line,
headers up to the blank line, then exactly ``Content-Length`` body bytes or a chunked body.
Anything else (no framing, a 1xx, a malformed line, a closed socket, a timeout) raises
:class:`HttpError` and drops the connection, so the next request reconnects.

Measured on this project's 2-core machine: about 0.35-0.45 ms of client CPU per request,
against about 4 ms with httpx, which moved the server's p99 by tens of milliseconds; that
is why the bench keeps its own client. Its tests run with the benches (``pytest
bench/tests``), not in the main suite.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

_CRLF = b"\r\n"
_HEADERS_END = b"\r\n\r\n"
_MAX_HEAD_BYTES = 64 * 1024  # asyncio's default stream limit; a bigger head is malformed here


class HttpError(Exception):
    """A request that got no well-formed response: malformed, closed, timed out or refused."""


@dataclass(frozen=True)
class Target:
    """Where requests go: scheme, host, port and the base path prefixed to request paths."""

    scheme: str
    host: str
    port: int
    base_path: str

    @property
    def authority(self) -> str:
        """The ``Host`` header value (port included only when not the scheme's default)."""
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Response:
    """A response's status code and its complete (de-chunked) body."""

    status: int
    body: bytes


def parse_target(base_url: str) -> Target:
    """A Target from ``http(s)://host[:port][/prefix]``; raises ValueError for anything else."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) base URL: {base_url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return Target(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))


def encode_post(target: Target, path: str, key: str, body: bytes) -> bytes:
    """The complete bytes of a keep-alive ``POST`` of a JSON ``body`` with a Bearer key."""
    head = (
        f"POST {target.base_path}{path} HTTP/1.1\r\n"
        f"Host: {target.authority}\r\n"
        f"Authorization: Bearer {key}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """Status code and lower-cased headers of a response head (ending in a blank line)."""
    lines = head[: -len(_HEADERS_END)].split(_CRLF) if head.endswith(_HEADERS_END) else []
    if not lines:
        raise HttpError("response head does not end with a blank line")
    version, _, rest = lines[0].partition(b" ")
    code = rest[:3]
    if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise HttpError(f"malformed status line {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise HttpError(f"malformed header line {line[:80]!r}")
        headers[name.decode("latin-1").lower()] = value.strip().decode("latin-1")
    return int(code), headers


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    """A chunked body (chunk extensions and trailers are read and ignored)."""
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(_CRLF)
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpError(f"malformed chunk size {size_line[:40]!r}") from None
        if size < 0:
            raise HttpError(f"malformed chunk size {size_line[:40]!r}")
        if size == 0:
            while await reader.readuntil(_CRLF) != _CRLF:  # trailer fields, then a blank line
                pass
            return b"".join(parts)
        chunk = await reader.readexactly(size + len(_CRLF))
        if not chunk.endswith(_CRLF):
            raise HttpError("chunk not followed by CRLF")
        parts.append(chunk[:-2])


async def read_response(reader: asyncio.StreamReader) -> tuple[Response, bool]:
    """The next response on ``reader`` and whether the server will keep the connection open."""
    status, headers = parse_head(await reader.readuntil(_HEADERS_END))
    if status < 200:
        raise HttpError(f"unexpected interim response {status}")
    encoding = headers.get("transfer-encoding", "").lower()
    if encoding == "chunked":
        body = await read_chunked(reader)
    elif encoding:
        raise HttpError(f"unsupported transfer-encoding {encoding!r}")
    elif "content-length" in headers:
        length_text = headers["content-length"]
        if not length_text.isdigit():
            raise HttpError(f"malformed content-length {length_text[:40]!r}")
        body = await reader.readexactly(int(length_text))
    elif status in (204, 304):
        body = b""
    else:  # framed only by closing the connection: not what a keep-alive bench expects
        raise HttpError(f"response {status} has neither content-length nor chunked encoding")
    keep_alive = headers.get("connection", "").lower() != "close"
    return Response(status, body), keep_alive


class Connection:
    """One keep-alive connection to ``target``, opened lazily and reopened after any failure.

    Not safe for concurrent use: a simulated client owns one Connection and sends one request
    at a time on it, as a closed-loop client does.
    """

    def __init__(self, target: Target, timeout: float) -> None:
        """A closed connection to ``target``; each request (connect included) gets ``timeout`` s."""
        self.target = target
        self.timeout = timeout
        self.connects = 0
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A new socket to the target (TLS for https)."""
        tls = ssl.create_default_context() if self.target.scheme == "https" else None
        reader, writer = await asyncio.open_connection(
            self.target.host, self.target.port, ssl=tls, limit=_MAX_HEAD_BYTES
        )
        self.connects += 1
        return reader, writer

    async def request(self, raw: bytes) -> Response:
        """Send pre-encoded ``raw`` request bytes and read the whole response.

        Raises:
            HttpError: on a refused, reset or closed connection, a malformed response or a
                timeout; the connection is then dropped and the next call reconnects.
        """
        try:
            async with asyncio.timeout(self.timeout):
                if self._reader is None or self._writer is None or self._reader.at_eof():
                    self.close()  # the server closed an idle connection: nothing sent yet
                    self._reader, self._writer = await self._open()
                self._writer.write(raw)
                response, keep_alive = await read_response(self._reader)
        except HttpError:
            self.close()
            raise
        except asyncio.IncompleteReadError as exc:
            self.close()
            raise HttpError(f"connection closed after {len(exc.partial)} response bytes") from exc
        except asyncio.LimitOverrunError as exc:
            self.close()
            raise HttpError("response head or chunk line too long") from exc
        except TimeoutError as exc:
            self.close()
            raise HttpError(f"no complete response within {self.timeout} s") from exc
        except OSError as exc:  # refused, reset, broken pipe
            self.close()
            raise HttpError(f"{type(exc).__name__}: {exc}") from exc
        if not keep_alive:
            self.close()
        return response

    def close(self) -> None:
        """Drop the socket (without waiting for the close handshake); safe to call twice."""
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def aclose(self) -> None:
        """Close the socket and wait until it is closed, so no transport outlives the loop."""
        writer = self._writer
        self.close()
        if writer is not None:
            try:
                await writer.wait_closed()
            except OSError:  # already reset by the peer: closed either way
                pass
