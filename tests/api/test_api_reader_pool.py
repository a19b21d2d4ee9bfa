"""ReaderPool: calls in real reader processes, balanced per call, surviving crashes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from api.reader_pool import ReaderPool
from assistant.errors import Errors, NoteInputError, ReaderUnavailable

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]


def no_warm_up() -> None:
    """Warm-up of the test pools: nothing to build."""


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def niceness_here() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


def echo(value: str) -> str:
    return value


def refuse_note() -> None:
    raise NoteInputError(Errors.E002, source="note", problem="the note is empty")


class Unpicklable(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(first)  # pickling keeps only one argument: unpickling fails
        self.second = second


def raise_unpicklable() -> None:
    raise Unpicklable("a", "b")


def exit_now() -> None:
    os._exit(3)


def with_pool(
    size: int,
    scenario: Callable[[ReaderPool], Awaitable[T]],
    niceness: int = 0,
    queue_behind: int = 0,
) -> T:
    async def run() -> T:
        pool = ReaderPool(
            size, no_warm_up, niceness=niceness, queue_behind=queue_behind, acquire_timeout=30
        )
        await pool.start()
        try:
            return await scenario(pool)
        finally:
            await pool.close()

    return asyncio.run(run())


async def _until_live(pool: ReaderPool, count: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while pool.live < count:
        assert time.monotonic() < deadline, f"only {pool.live} of {count} readers came back"
        await asyncio.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) counts as gone
    status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return status != "Z"


def test_reader_pool_answers_in_other_processes() -> None:
    async def scenario(pool: ReaderPool) -> tuple[str, int, list[int]]:
        return await pool.call(echo, "é\x00" * 3), await pool.call(pid_after, 0.0), pool.pids

    echoed, pid, pids = with_pool(1, scenario)
    assert echoed == "é\x00" * 3
    assert pid != os.getpid()
    assert pids == [pid]


def test_reader_pool_readers_run_below_the_serving_process() -> None:
    async def scenario(pool: ReaderPool) -> int:
        return await pool.call(niceness_here)

    assert with_pool(1, scenario, niceness=3) == min(19, niceness_here() + 3)


def test_reader_pool_balances_calls_not_connections() -> None:
    async def scenario(pool: ReaderPool) -> tuple[list[int], float]:
        started = time.monotonic()
        pids = await asyncio.gather(*(pool.call(pid_after, 0.4) for _ in range(4)))
        return list(pids), time.monotonic() - started

    pids, seconds = with_pool(2, scenario)
    assert len(set(pids)) == 2
    assert sorted(pids.count(pid) for pid in set(pids)) == [2, 2]
    assert seconds < 1.5  # two at a time: ~0.8 s, not the 1.6 s of one process


@pytest.mark.parametrize(
    ("func", "expected", "message"),
    [
        (refuse_note, NoteInputError, "note: the note is empty"),
        (raise_unpicklable, RuntimeError, "Unpicklable in a reader process"),
    ],
)
def test_reader_pool_reraises_the_callers_error(
    func: Callable[[], None], expected: type[Exception], message: str
) -> None:
    async def scenario(pool: ReaderPool) -> tuple[str, str]:
        with pytest.raises(expected) as caught:
            await pool.call(func)
        return str(caught.value), await pool.call(echo, "still serving")

    assert with_pool(1, scenario) == (message, "still serving")


def test_reader_pool_replaces_a_reader_that_dies_mid_call() -> None:
    async def scenario(pool: ReaderPool) -> tuple[str, int]:
        with pytest.raises(ReaderUnavailable, match="please retry"):
            await pool.call(exit_now)
        await _until_live(pool, 1)
        return await pool.call(echo, "back"), pool.live

    assert with_pool(1, scenario) == ("back", 1)


def test_reader_pool_answers_queued_calls_in_order() -> None:
    async def scenario(pool: ReaderPool) -> list[object]:
        calls = [pool.call(pid_after, 0.3), pool.call(echo, "second"), pool.call(echo, "third")]
        return list(await asyncio.gather(*calls))

    answers = with_pool(1, scenario)
    assert answers[1:] == ["second", "third"]
    assert isinstance(answers[0], int)


@pytest.mark.parametrize(("third_weight", "waiting"), [(5, 0), (50, 1)])
def test_reader_pool_queues_only_light_calls_behind_light_ones(
    third_weight: int, waiting: int
) -> None:
    async def scenario(pool: ReaderPool) -> tuple[int, list[int]]:
        heavy = asyncio.ensure_future(pool.call(pid_after, 0.6, weight=50))
        await asyncio.sleep(0)
        light = asyncio.ensure_future(pool.call(pid_after, 0.2, weight=5))
        await asyncio.sleep(0)
        third = asyncio.ensure_future(pool.call(pid_after, 0.0, weight=third_weight))
        await asyncio.sleep(0)
        queued = pool.waiting
        return queued, list(await asyncio.gather(heavy, light, third))

    queued, (heavy_pid, light_pid, third_pid) = with_pool(2, scenario, queue_behind=10)
    assert queued == waiting  # a heavy call waits for an idle reader rather than queue
    assert heavy_pid != light_pid
    assert third_pid == light_pid  # never behind the heavy call


def test_reader_pool_fails_every_call_a_dead_reader_held() -> None:
    async def scenario(pool: ReaderPool) -> tuple[list[object], str]:
        held = [pool.call(exit_now), pool.call(echo, "queued behind the crash")]
        outcomes = await asyncio.gather(*held, return_exceptions=True)
        await _until_live(pool, 1)
        return list(outcomes), await pool.call(echo, "back")

    outcomes, after = with_pool(1, scenario)
    assert all(isinstance(outcome, ReaderUnavailable) for outcome in outcomes)
    assert after == "back"


@pytest.mark.parametrize(("size", "depth"), [(0, 2), (2, 0)])
def test_reader_pool_refuses_an_empty_pool(size: int, depth: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        ReaderPool(size, no_warm_up, depth=depth)


def test_reader_pool_replaces_a_reader_killed_while_idle() -> None:
    async def scenario(pool: ReaderPool) -> tuple[list[str], list[int], list[int]]:
        before = pool.pids
        os.kill(before[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while before[0] in pool.pids:  # the pool notices the exit on its own
            assert time.monotonic() < deadline, "the pool did not notice the killed reader"
            await asyncio.sleep(0.01)
        # calls made after the kill never see the dead reader
        answers = await asyncio.gather(*(pool.call(echo, str(i)) for i in range(6)))
        await _until_live(pool, 2)
        return list(answers), before, pool.pids

    answers, before, after = with_pool(2, scenario)
    assert answers == [str(i) for i in range(6)]
    assert before[0] not in after and before[1] in after and len(after) == 2


def test_reader_pool_cancelled_caller_does_not_desynchronise_the_reader() -> None:
    async def scenario(pool: ReaderPool) -> str:
        slow = asyncio.ensure_future(pool.call(pid_after, 0.3))
        await asyncio.sleep(0.05)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        return await pool.call(echo, "fresh")  # not the cancelled call's pid

    assert with_pool(1, scenario) == "fresh"


def test_reader_pool_close_stops_every_reader() -> None:
    async def scenario(pool: ReaderPool) -> list[int]:
        return pool.pids

    pids = with_pool(2, scenario)
    assert len(pids) == 2
    assert not any(_alive(pid) for pid in pids)


def test_reader_pool_readers_exit_when_the_server_dies(tmp_path: Path) -> None:
    script = tmp_path / "dies.py"
    script.write_text(
        textwrap.dedent(
            """
            import asyncio, os, sys
            sys.path[:0] = [sys.argv[1], sys.argv[2]]
            from api.reader_pool import ReaderPool
            from test_api_reader_pool import no_warm_up

            async def main():
                pool = ReaderPool(2, no_warm_up)
                await pool.start()
                print(*pool.pids, flush=True)
                os._exit(0)  # no clean-up: as if the server were killed

            if __name__ == "__main__":
                asyncio.run(main())
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script), str(ROOT), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pids = [int(pid) for pid in done.stdout.split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def test_a_reader_whose_server_is_gone_stops_even_with_its_socket_open() -> None:
    import socket
    import threading

    from api.reader_pool import PARENT_CHECK_SECONDS, serve_calls

    server_end, reader_end = socket.socketpair()
    alive = threading.Event()
    alive.set()
    reader = threading.Thread(
        target=serve_calls, args=(reader_end, lambda: None, alive.is_set), daemon=True
    )
    with server_end, reader_end:
        reader.start()
        server_end.recv(64)  # the reader says it is ready
        reader.join(PARENT_CHECK_SECONDS * 1.5)
        assert reader.is_alive()  # its server is there: it waits for calls
        alive.clear()  # the server dies, but the socket stays open (a leaked copy)
        reader.join(PARENT_CHECK_SECONDS * 2.5)
        assert not reader.is_alive()
