"""Reader processes fed by the event loop: each check goes to the next reader with room.

The reader is CPU-bound Python, so only processes use a second core. ``uvicorn --workers``
binds each keep-alive connection to one process for its whole life: with 8 clients the
connections split unevenly and the busier process set p99 (measured: 159 ms vs 47 ms p50).
Here one process serves HTTP and hands each call to a reader process with a free slot.

Calls travel as length-prefixed pickles over a socketpair that the event loop reads itself,
so a call costs no thread hop (measured at 8 clients: the serving process spent 5.1 ms of
CPU per request with ``ProcessPoolExecutor``, whose manager and feeder threads wake on
every call, and 4.2-4.7 ms with this pool). A process that dies is replaced in the
background; the calls it held fail with :class:`ReaderUnavailable`. Pickles only ever
cross the private socketpair between the serving process and its own readers: nothing a
client sends is unpickled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import select
import signal
import socket
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from assistant.errors import Errors, ReaderUnavailable

logger = logging.getLogger("chartready.readers")

T = TypeVar("T")
_FRAME = struct.Struct("!Q")
_READY = "ready"
_RESPAWN_DELAY_S = 1.0
PARENT_CHECK_SECONDS = 2.0


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


def _parent_check(parent: int) -> Callable[[], bool]:
    """A check that the process which started this reader is still its parent."""
    return lambda: os.getppid() == parent


def reader_main(sock: socket.socket, warm: Callable[[], object], niceness: int = 0) -> None:
    """A reader process's life: ignore Ctrl-C, lower its priority, then serve calls.

    Ctrl-C reaches the whole process group; the serving process decides when readers stop
    (it closes the socket, and the reader exits on end of file).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if niceness:
        os.nice(niceness)
    serve_calls(sock, warm, _parent_check(os.getppid()))


def serve_calls(
    sock: socket.socket, warm: Callable[[], object], parent_alive: Callable[[], bool]
) -> None:
    """Warm up, say ready, then answer one framed call at a time until the socket closes.

    Between calls the reader also checks every few seconds that its server is alive, so a
    reader whose server is gone while its socket stays open does not linger.
    """
    warm()
    _send(sock, pickle.dumps((_READY, os.getpid())))
    while True:
        readable, _, _ = select.select([sock], [], [], PARENT_CHECK_SECONDS)
        if not readable:
            if not parent_alive():
                return
            continue
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
class _Call:
    payload: bytes
    weight: int
    future: asyncio.Future[tuple[str, Any]]
    expiry: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class _Reader:
    process: BaseProcess
    stream_in: asyncio.StreamReader
    stream_out: asyncio.StreamWriter
    # calls sent and not yet answered, oldest first (a reader answers in order)
    pending: deque[_Call] = field(default_factory=deque)
    listener: asyncio.Task[None] | None = None
    retired: bool = False


async def _read_frame(stream: asyncio.StreamReader) -> bytes:
    (size,) = _FRAME.unpack(await stream.readexactly(_FRAME.size))
    return await stream.readexactly(size)


class ReaderPool:
    """``size`` long-lived reader processes; :meth:`call` runs a picklable function in one.

    ``warm`` runs once in each process before it takes calls (build the reader there).
    Calls wait in one queue, oldest first, for an idle reader. A call may also be queued in
    a busy reader (up to ``depth`` calls in it) when every call there weighs at most
    ``queue_behind`` (the API weighs a check by its note's length): the reader then starts
    it as soon as it has answered, instead of idling until this process has read the answer
    and sent another. Measured at 8 clients on 2 cores with a 680-character note: 143-181
    req/s and p99 79-88 ms in seven runs with a second call queued, 117-132 req/s and p99
    94-116 ms in five without. On the 88 corpus notes (up to 24 k characters, ~100 ms
    alone) p99 was 161-218 ms without queueing (three runs), 239-251 ms queueing behind any
    note (two) and 173-206 ms queueing only behind notes of at most 4,000 characters (three).
    ``niceness`` lowers the readers' CPU priority below the serving process's, which then
    accepts, hands out and answers requests at once (without queueing: p99 93 ms with 5 vs
    104 ms with 0, mean of three runs each). Use from one event loop: :meth:`start`, then
    :meth:`call`, then :meth:`close`.
    """

    def __init__(
        self,
        size: int,
        warm: Callable[[], object],
        *,
        niceness: int = 0,
        depth: int = 2,
        queue_behind: int = 0,
        acquire_timeout: float = 120.0,
    ) -> None:
        if size < 1 or depth < 1:
            raise ValueError("a reader pool needs at least one process and a depth of one")
        self.size = size
        self.depth = depth
        self.queue_behind = queue_behind
        self.acquire_timeout = acquire_timeout
        self.niceness = niceness
        self._warm = warm
        # spawn: a fresh interpreter; forking a process with threads and a loop is unsafe
        self._context = multiprocessing.get_context("spawn")
        self._waiting: deque[_Call] = deque()  # calls no reader has taken yet, oldest first
        self._live: set[_Reader] = set()
        self._respawns: set[asyncio.Task[None]] = set()
        self._closing = False

    @property
    def live(self) -> int:
        """Reader processes that are up and warm."""
        return len(self._live)

    @property
    def waiting(self) -> int:
        """Calls that no reader has taken yet."""
        return sum(not call.future.done() for call in self._waiting)

    @property
    def pids(self) -> list[int]:
        """Process ids of the live readers (for health output and tests)."""
        return sorted(r.process.pid for r in self._live if r.process.pid is not None)

    async def start(self) -> None:
        """Start every reader process and wait until all are warm."""
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    async def _spawn(self) -> None:
        """Start one reader process, wait until it is warm, then listen to its answers."""
        ours, theirs = socket.socketpair()
        process = self._context.Process(
            target=reader_main,
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
            reason = "a reader process stopped while warming up"
            raise ReaderUnavailable(Errors.E503, reason=reason) from exc
        if status != _READY:
            self._stop(reader)
            reason = f"a reader process said {status!r} instead of ready"
            raise ReaderUnavailable(Errors.E503, reason=reason)
        self._live.add(reader)
        loop = asyncio.get_running_loop()
        loop.add_reader(process.sentinel, self._on_exit, reader)
        reader.listener = loop.create_task(self._listen(reader))
        logger.info("reader process %s warm (%d of %d)", pid, len(self._live), self.size)

    def _stop(self, reader: _Reader) -> None:
        reader.retired = True
        self._live.discard(reader)
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(reader.process.sentinel)
        reader.stream_out.close()
        if reader.process.is_alive():
            reader.process.kill()
        while reader.pending:
            _fail(reader.pending.popleft(), "a reader process stopped during this check")

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
                await self._spawn()
            except ReaderUnavailable:
                logger.exception("replacement reader process failed to start; retrying")
                await asyncio.sleep(_RESPAWN_DELAY_S)
                continue
            self._dispatch()
            return

    def _taker(self, weight: int) -> _Reader | None:
        """An idle reader, else one where a call of ``weight`` may queue, else None."""
        queueable = None
        for reader in self._live:
            if not reader.pending:
                return reader
            if (
                queueable is None
                and len(reader.pending) < self.depth
                and max(weight, *(call.weight for call in reader.pending)) <= self.queue_behind
            ):
                queueable = reader
        return queueable

    def _dispatch(self) -> None:
        """Send waiting calls, oldest first, while a reader can take the next one."""
        while self._waiting:
            call = self._waiting[0]
            if call.future.done():  # its caller gave up or it expired
                self._waiting.popleft()
                continue
            reader = self._taker(call.weight)
            if reader is None:
                return
            self._waiting.popleft()
            if call.expiry is not None:
                call.expiry.cancel()
            reader.pending.append(call)  # appended and written together: answers stay in order
            reader.stream_out.write(_FRAME.pack(len(call.payload)) + call.payload)

    def _expire(self, call: _Call) -> None:
        if call in self._waiting:
            self._waiting.remove(call)
            _fail(call, f"no reader process was free within {self.acquire_timeout:.0f} s")

    async def call(self, func: Callable[..., T], *args: object, weight: int = 0) -> T:
        """``func(*args)`` in a reader process; its exception is re-raised here.

        ``weight`` (e.g. a note's length) decides whether the call may queue in a busy
        reader (see the class). A cancelled caller only stops waiting: a call already sent
        is still answered and its answer read, so answers never shift to the wrong call.
        """
        if self._closing:
            raise ReaderUnavailable(Errors.E503, reason="the reader pool is shutting down")
        loop = asyncio.get_running_loop()
        call = _Call(
            pickle.dumps((func, args), pickle.HIGHEST_PROTOCOL), weight, loop.create_future()
        )
        self._waiting.append(call)
        self._dispatch()
        if call in self._waiting:
            call.expiry = loop.call_later(self.acquire_timeout, self._expire, call)
        status, value = await call.future
        if status == "error":
            assert isinstance(value, BaseException)
            raise value
        result: T = value
        return result

    async def _listen(self, reader: _Reader) -> None:
        """Hand each answer of ``reader`` to its oldest call, then send waiting calls."""
        while True:
            try:
                reply = await _read_frame(reader.stream_in)
            except (asyncio.IncompleteReadError, OSError):
                self._retire(reader)
                return
            call = reader.pending.popleft()
            self._dispatch()
            if call.future.done():
                continue
            try:
                call.future.set_result(pickle.loads(reply))
            except Exception as exc:  # an answer this process cannot load fails that call only
                call.future.set_exception(exc)

    async def close(self, timeout: float = 10.0) -> None:
        """Stop taking calls, let readers finish and exit (killed after ``timeout``)."""
        self._closing = True
        for task in list(self._respawns):
            task.cancel()
        while self._waiting:
            _fail(self._waiting.popleft(), "the reader pool is shutting down")
        readers = list(self._live)
        for reader in readers:
            reader.retired = True
            self._live.discard(reader)
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(reader.process.sentinel)
            if reader.listener is not None:
                reader.listener.cancel()
            reader.stream_out.close()  # the reader sees end of file and returns
        await asyncio.to_thread(_join_all, [r.process for r in readers], timeout)


def _fail(call: _Call, reason: str) -> None:
    if call.expiry is not None:
        call.expiry.cancel()
    if not call.future.done():
        call.future.set_exception(ReaderUnavailable(Errors.E503, reason=reason))


def _join_all(processes: list[BaseProcess], timeout: float) -> None:
    for process in processes:
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(1.0)
