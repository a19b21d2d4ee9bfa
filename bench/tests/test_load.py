"""The open-loop load bench (``bench/load.py``): its pure parts, and one tiny real run."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1]
BENCH_MODULES = ("load", "latency", "_server")


@pytest.fixture(scope="module")
def load() -> Iterator[ModuleType]:
    """``bench/load.py`` imported the way the script sees its siblings (bench/ on sys.path)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCH))
        yield importlib.import_module("load")
    for name in BENCH_MODULES:
        sys.modules.pop(name, None)


@pytest.mark.parametrize(
    ("rate", "count", "duration", "expected"),
    [
        (5.0, 10, 10.0, [i / 5 for i in range(10)]),  # count first
        (5.0, 100, 2.0, [i / 5 for i in range(10)]),  # duration first
        (0.5, 10, 3.0, [0.0, 2.0]),
        (20.0, 0, 60.0, []),
    ],
)
def test_bench_load_schedule_stops_at_count_or_duration(
    load: ModuleType, rate: float, count: int, duration: float, expected: list[float]
) -> None:
    assert load.schedule(rate, count, duration) == pytest.approx(expected)


def _outcome(load: ModuleType, due: float, status: int | None, error: str | None = None) -> object:
    latency = 0.05 if status is not None else None
    return load.Outcome(due, 0.0, latency, status, error)


@pytest.mark.parametrize(
    ("statuses", "errors", "is_failure"),
    [
        ([200, 200], {}, False),
        ([200, 429], {"HTTP 429": 1}, False),
        ([200, 503], {"HTTP 503": 1}, True),
        ([200, "ReadTimeout"], {"ReadTimeout": 1}, True),
        ([200, "shed: in-flight cap"], {"shed: in-flight cap": 1}, False),
        ([401, 401], {"HTTP 401": 2}, True),  # nothing succeeded
    ],
)
def test_bench_load_failed_on_5xx_transport_error_or_no_success(
    load: ModuleType, statuses: list[int | str], errors: dict[str, int], is_failure: bool
) -> None:
    outcomes = [
        _outcome(load, i * 0.1, s, None) if isinstance(s, int) else _outcome(load, i * 0.1, None, s)
        for i, s in enumerate(statuses)
    ]
    summary = load.summarise(load.LoadRun(outcomes=outcomes, wall_s=1.0), 10.0)
    assert summary.errors == errors
    assert load.failed(summary) is is_failure


def test_bench_load_windows_group_requests_by_due_time_and_rss_by_sample_time(
    load: ModuleType,
) -> None:
    outcomes = [_outcome(load, due, 200) for due in (0.0, 4.9, 5.0)] + [_outcome(load, 11.0, 500)]
    samples = [load.RssSample(t, mb, 1) for t, mb in ((0.5, 100.0), (4.0, 120.0), (12.0, 90.0))]
    run = load.LoadRun(outcomes=outcomes, samples=samples, wall_s=12.0)
    windows = load.summarise_windows(run, 5.0)
    assert [(w.requests, w.ok, w.errors) for w in windows] == [(2, 2, 0), (1, 1, 0), (1, 0, 1)]
    assert [w.rss_max_mb for w in windows][::2] == [120.0, 90.0]


def test_bench_load_proc_and_psutil_rss_agree(load: ModuleType) -> None:
    pytest.importorskip("psutil")
    from_proc = load.proc_tree_rss(os.getpid())
    from_psutil = load.psutil_tree_rss(os.getpid())
    assert from_proc is not None and from_psutil is not None
    assert from_proc[1] == from_psutil[1]
    assert from_proc[0] == pytest.approx(from_psutil[0], rel=0.05)


def test_bench_load_main_reports_no_errors_and_an_rss_series(
    load: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures_path = tmp_path / "load.json"
    argv = ["--rate", "5", "--count", "10", "--duration", "10", "--warmup", "1"]
    argv += ["--startup-timeout", "60", "--json", str(figures_path)]
    assert load.main(argv) == 0
    figures = json.loads(figures_path.read_text())
    summary = figures["summary"]
    assert (summary["sent"], summary["ok"], summary["errors"]) == (10, 10, {})
    assert summary["p99_ms"] >= summary["p50_ms"] > 0
    assert len(figures["rss"]) >= 2
    assert all(sample["rss_mb"] > 50 and sample["processes"] >= 1 for sample in figures["rss"])
    assert "| window (5 s) |" in capsys.readouterr().out
