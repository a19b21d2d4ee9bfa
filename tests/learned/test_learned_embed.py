"""Length-grouped batching and the thread setting of the learned pass (no weights needed)."""

from __future__ import annotations

import pytest

from assistant.learned.embed import ENV_THREADS, inference_threads, length_batches


@pytest.mark.parametrize(
    ("lengths", "batch_size", "budget", "expected"),
    [
        ([], 4, 16, []),
        ([5], 4, 16, [[0]]),
        ([9, 5, 7], 4, 16, [[1, 2, 0]]),
        ([30, 5, 6], 4, 16, [[1, 2], [0]]),
        ([5, 5, 5, 5, 5], 2, 16, [[0, 1], [2, 3], [4]]),
        ([10, 12, 40, 41], 8, 0, [[0], [1], [2], [3]]),
    ],
)
def test_length_batches_groups_similar_lengths_shortest_first(
    lengths: list[int], batch_size: int, budget: int, expected: list[list[int]]
) -> None:
    assert length_batches(lengths, batch_size, budget) == expected


@pytest.mark.parametrize(
    "lengths", [[3, 90, 4, 88, 17, 17, 60, 5, 128, 2], list(range(40, 0, -1)), [7] * 33]
)
def test_length_batches_cover_every_index_once_within_limits(lengths: list[int]) -> None:
    batches = length_batches(lengths, 8, 16)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 8
        padded = [max(lengths[i] for i in batch) - lengths[i] for i in batch]
        assert sum(padded) <= 16 * len(batch)


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 1), ("", 1), ("1", 1), ("0", 1), ("-3", 1), ("two", 1)]
)
def test_inference_threads_defaults_to_one_and_clamps(
    monkeypatch: pytest.MonkeyPatch, raw: str | None, expected: int
) -> None:
    if raw is None:
        monkeypatch.delenv(ENV_THREADS, raising=False)
    else:
        monkeypatch.setenv(ENV_THREADS, raw)
    assert inference_threads() == expected


def test_inference_threads_never_exceeds_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_THREADS, "64")
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert inference_threads() == 2
