import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_inputs import BAD_IDS, NOTES

from assistant.batch.embedded import PARENT_CHECK_SECONDS, BatchOptions, run_embedded, watch_parent
from assistant.batch.output import read_errors, read_results
from assistant.errors import BatchOutputError

CHUNK = 3


@pytest.fixture(scope="module")
def reference(batch_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted run in this process."""
    out = tmp_path_factory.mktemp("reference") / "out"
    run_embedded(batch_csv, out, BatchOptions("commercial", CHUNK), processes=1)
    return out


def test_embedded_checks_good_rows_and_reports_bad_ones_by_id(reference: Path) -> None:
    results = read_results(reference)
    errors = read_errors(reference)
    assert len(results) == NOTES
    assert {e["note_id"] for e in errors} == BAD_IDS
    assert len(errors) == 7  # both rows of the repeated id
    assert all(e["code"].startswith("E0") for e in errors)
    medicare = [r for r in results if r["payer"] == "medicare"]
    assert medicare and all(r["model_version"] and r["reader_version"] for r in results)
    assert json.loads((reference / "manifest.json").read_text())["status"] == "complete"


def test_embedded_rerun_of_a_finished_run_checks_nothing(batch_csv: Path, reference: Path) -> None:
    before = read_results(reference)
    summary = run_embedded(batch_csv, reference, BatchOptions("commercial", CHUNK), processes=1)
    assert summary.resumed_chunks == len(list((reference / "parquet").glob("part-*")))
    assert read_results(reference) == before


def test_embedded_refuses_an_output_of_another_run(batch_csv: Path, reference: Path) -> None:
    with pytest.raises(BatchOutputError) as caught:
        run_embedded(batch_csv, reference, BatchOptions("medicare", CHUNK), processes=1)
    assert caught.value.code == "E022"


def _batch(source: Path, out: Path) -> subprocess.Popen[bytes]:
    cli = "from assistant.cli import main; main()"
    command = [sys.executable, "-c", cli, "batch", str(source), "--out", str(out)]
    options = ["--processes", "2", "--chunk-size", str(CHUNK)]
    return subprocess.Popen([*command, *options], stderr=subprocess.DEVNULL)


def _children(pid: int) -> list[int]:
    """Process ids of ``pid``'s children (Linux /proc)."""
    listing = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    return [int(child) for child in listing.split()]


def _gone(pids: list[int], seconds: float) -> bool:
    """Whether every process of ``pids`` has exited within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.2)
    return False


def test_embedded_resumes_after_kill_9_losing_and_repeating_nothing(
    batch_csv: Path, reference: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    process = _batch(batch_csv, out)
    deadline = time.monotonic() + 240
    # Kill at the first committed chunk: waiting for more let a fast machine finish the run.
    while not list((out / "parquet").glob("part-*")) and time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before it could be killed"
        time.sleep(0.05)
    workers = _children(process.pid)
    os.kill(process.pid, signal.SIGKILL)  # the batch alone: its workers must notice and leave
    process.wait()
    assert workers and _gone(workers, 4 * PARENT_CHECK_SECONDS + 5)
    committed = len(list((out / "parquet").glob("part-*")))
    total = len(list((reference / "parquet").glob("part-*")))
    assert 1 <= committed < total
    assert _batch(batch_csv, out).wait(timeout=300) == 1  # bad rows -> exit code 1
    results = read_results(out)
    assert [r["note_id"] for r in results] == [r["note_id"] for r in read_results(reference)]
    assert results == read_results(reference)
    assert read_errors(out) == read_errors(reference)
    lines = [line for p in (out / "jsonl").glob("part-*") for line in p.read_text().splitlines()]
    assert len(lines) == NOTES


def test_a_pool_worker_leaves_when_its_batch_is_gone() -> None:
    answers = iter([True, True, False])
    left: list[bool] = []
    watch_parent(lambda: next(answers), lambda: left.append(True), period=0)
    assert left == [True]
