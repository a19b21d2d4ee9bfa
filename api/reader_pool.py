"""Reader processes fed by the event loop: each request goes to whichever process is free.

The reader is CPU-bound Python, so only processes use a second core. ``uvicorn --workers``
binds each keep-alive connection to one process for its whole life: with 8 clients the
connections split unevenly and the busier process set p99 (measured: 159 ms vs 47 ms p50).
Here one process serves HTTP and hands each call to the next free reader process.

Calls travel as length-prefixed pickles over a socketpair that the event loop reads itself,
so a call costs no thread hop (``ProcessPoolExecutor``'s manager and feeder threads cost
about 3 ms of the serving process's CPU per request; measured). A process that dies is
replaced in the background; the call it was running fails with :class:`ReaderUnavailable`.
Pickles only ever cross the private socketpair between the serving process and its own
readers: nothing a client sends is unpickled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from assistant.errors import ChartReadyError

logger = logging.getLogger("chartready.readers")

T = TypeVar("T")
_FRAME = struct.Struct("!Q")
_READY = "ready"
_RESPAWN_DELAY_S = 1.0


class ReaderUnavailable(ChartReadyError):
    """No reader process could finish the call (one stopped mid-call, or none came up)."""

    code = "E503"


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_FRAME.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError("the serving process closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _returnable(exc: Exception) -> Exception:
    """``exc`` if it survives a pickle round trip, else a RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(exc, pickle.HIGHEST_PROTOCOL))
    except Exception:
        return RuntimeError(f"{type(exc).__name__} in a reader process")
    return exc


def serve_calls(sock: socket.socket, warm: Callable[[], object], niceness: int = 0) -> None:
    """A reader process's life: warm up, say ready, then answer one framed call at a time.

    Ctrl-C reaches the whole process group; the serving process decides when readers stop
    (it closes the socket, and the reader exits on end of file).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if niceness:
        os.nice(niceness)
    warm()
    _send(sock, pickle.dumps((_READY, os.getpid())))
    while True:
        try:
            (size,) = _FRAME.unpack(_recv_exactly(sock, _FRAME.size))
            func, args = pickle.loads(_recv_exactly(sock, size))
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", func(*args))
        except Exception as exc:  # returned to the caller, who re-raises it
            reply = ("error", _returnable(exc))
        _send(sock, pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))


@dataclass(eq=False)
class _Reader:
    process: BaseProcess
    stream_in: asyncio.StreamReader
    stream_out: asyncio.StreamWriter
    retired: bool = field(default=False)


async def _read_frame(stream: asyncio.StreamReader) -> bytes:
    (size,) = _FRAME.unpack(await stream.readexactly(_FRAME.size))
    return await stream.readexactly(size)


class ReaderPool:
    """``size`` long-lived reader processes; :meth:`call` runs a picklable function in one.

    ``warm`` runs once in each process before it takes calls (build the reader there).
    ``niceness`` lowers the readers' CPU priority below the serving process's: on a machine
    whose cores the readers keep busy, the serving process still accepts, hands out and
    answers requests at once (measured at 8 clients on 2 cores: p99 93 ms with 5 vs
    104 ms with 0, mean of three runs each). Use from one event loop: :meth:`start`, then
    :meth:`call`, then :meth:`close`.
    """

    def __init__(
        self,
        size: int,
        warm: Callable[[], object],
        *,
        niceness: int = 0,
        acquire_timeout: float = 120.0,
    ) -> None:
        if size < 1:
            raise ValueError("a reader pool needs at least one process")
        self.size = size
        self.acquire_timeout = acquire_timeout
        self.niceness = niceness
        self._warm = warm
        # spawn: a fresh interpreter; forking a process with threads and a loop is unsafe
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Reader] = asyncio.Queue()
        self._live: set[_Reader] = set()
        self._respawns: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def live(self) -> int:
        """Reader processes that are up and warm."""
        return len(self._live)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live readers (for health output and tests)."""
        return sorted(r.process.pid for r in self._live if r.process.pid is not None)

    async def start(self) -> None:
        """Start every reader process and wait until all are warm."""
        readers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for reader in readers:
            self._idle.put_nowait(reader)

    async def _spawn(self) -> _Reader:
        ours, theirs = socket.socketpair()
        process = self._context.Process(
            target=serve_calls,
            args=(theirs, self._warm, self.niceness),
            name="chartready-reader",
            daemon=True,
        )
        try:
            process.start()
        finally:
            theirs.close()
        stream_in, stream_out = await asyncio.open_unix_connection(sock=ours)
        reader = _Reader(process, stream_in, stream_out)
        try:
            status, pid = pickle.loads(await _read_frame(stream_in))
        except (asyncio.IncompleteReadError, OSError) as exc:
            self._stop(reader)
            raise ReaderUnavailable("a reader process stopped while warming up") from exc
        if status != _READY:
            self._stop(reader)
            raise ReaderUnavailable(f"a reader process said {status!r} instead of ready")
        self._live.add(reader)
        asyncio.get_running_loop().add_reader(process.sentinel, self._on_exit, reader)
        logger.info("reader process %s warm (%d of %d)", pid, len(self._live), self.size)
        return reader

    def _stop(self, reader: _Reader) -> None:
        reader.retired = True
        self._live.discard(reader)
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(reader.process.sentinel)
        reader.stream_out.close()
        if reader.process.is_alive():
            reader.process.kill()

    def _on_exit(self, reader: _Reader) -> None:
        """A reader process ended on its own (crash, OOM kill): replace it."""
        self._retire(reader)

    def _retire(self, reader: _Reader) -> None:
        if reader.retired:
            return
        self._stop(reader)
        if self._closing:
            return
        logger.warning(
            "reader process %s stopped (exit code %s); starting a replacement",
            reader.process.pid,
            reader.process.exitcode,
        )
        task = asyncio.get_running_loop().create_task(self._replace())
        self._respawns.add(task)
        task.add_done_callback(self._respawns.discard)

    async def _replace(self) -> None:
        while not self._closing:
            try:
                reader = await self._spawn()
            except ReaderUnavailable:
                logger.exception("replacement reader process failed to start; retrying")
                await asyncio.sleep(_RESPAWN_DELAY_S)
                continue
            self._idle.put_nowait(reader)
            return

    async def _acquire(self) -> _Reader:
        while True:
            if not self._idle.empty():  # the common case needs no timer
                reader = self._idle.get_nowait()
                if not reader.retired:
                    return reader
                continue
            try:
                reader = await asyncio.wait_for(self._idle.get(), self.acquire_timeout)
            except TimeoutError:
                raise ReaderUnavailable(
                    f"no reader process was free within {self.acquire_timeout:.0f} s"
                ) from None
            if not reader.retired:
                return reader

    async def call(self, func: Callable[..., T], *args: object) -> T:
        """``func(*args)`` in the next free reader process; its exception is re-raised here.

        The exchange is shielded: a cancelled caller (client gone) still lets the reader
        finish and answer, so the next call on it never reads a stale reply.
        """
        if self._closing:
            raise ReaderUnavailable("the reader pool is shutting down")
        payload = pickle.dumps((func, args), pickle.HIGHEST_PROTOCOL)
        reader = await self._acquire()
        exchange = asyncio.ensure_future(self._exchange(reader, payload))
        status, value = await asyncio.shield(exchange)
        if status == "error":
            assert isinstance(value, BaseException)
            raise value
        result: T = value
        return result

    async def _exchange(self, reader: _Reader, payload: bytes) -> tuple[str, Any]:
        try:
            reader.stream_out.write(_FRAME.pack(len(payload)) + payload)
            await reader.stream_out.drain()
            reply = await _read_frame(reader.stream_in)
        except (asyncio.IncompleteReadError, OSError) as exc:
            self._retire(reader)
            raise ReaderUnavailable(
                "a reader process stopped during this check; please retry"
            ) from exc
        if not reader.retired:
            self._idle.put_nowait(reader)
        outcome: tuple[str, Any] = pickle.loads(reply)
        return outcome

    async def close(self, timeout: float = 10.0) -> None:
        """Stop taking calls, let readers finish and exit (killed after ``timeout``)."""
        self._closing = True
        for task in list(self._respawns):
            task.cancel()
        readers = list(self._live)
        for reader in readers:
            reader.retired = True
            self._live.discard(reader)
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(reader.process.sentinel)
            reader.stream_out.close()  # the reader sees end of file and returns
        await asyncio.to_thread(_join_all, [r.process for r in readers], timeout)


def _join_all(processes: list[BaseProcess], timeout: float) -> None:
    for process in processes:
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(1.0)
