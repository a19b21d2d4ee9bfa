"""Feature rows for the learned layer: what a sentence says, and what the rules saw there.

A row is the sentence's static MiniLM vector (:mod:`static_embeddings`), its hashed word
unigrams and bigrams (stateless, so the artifact needs no vocabulary), and a few named
signals (section, ConText assertion, the rules' own reading). The three parts keep their
own weights in a :class:`~assistant.learned.artifact.LinearHead`.

The hashed block is what scikit-learn's ``HashingVectorizer`` (lower-cased word 1-2-grams,
no sign flips, l2 norm) gives, entry for entry, built without its per-call validation and
hashing each note's n-grams in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, pairwise
from string import ascii_letters, digits

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from sklearn.utils import murmurhash3_32

from assistant.learned.static_embeddings import DIMENSION, encode

HASHED = 2**15
# Section categories of rules/sections.json that matter to the heads ("other" = the rest).
SECTIONS: tuple[str, ...] = (
    "procedure",
    "procedure_details",
    "observation_and_plan",
    "history_of_present_illness",
    "past_medical_history",
    "indications",
    "diagnoses",
    "imaging",
    "consent",
    "medications",
    "physical_exam",
    "complications",
    "disposition",
    "anesthesia",
)
ASSERTIONS: tuple[str, ...] = ("negated", "hypothetical", "historical", "family", "uncertain")
# sklearn's token pattern is (?u)\b\w+\b; a whole run of word characters is the same thing.
_TOKEN = re.compile(r"\w+")
# ASCII word characters kept, every other byte made a space.
_ASCII_WORD_BYTES = bytes(c if chr(c) in ascii_letters + digits + "_" else 32 for c in range(256))


@lru_cache(maxsize=256)
def section_flags(section: str | None) -> tuple[float, ...]:
    """One-hot section (all zero for untitled text), plus "some other section"."""
    flags = [float(section == name) for name in SECTIONS]
    return (*flags, float(section is not None and section not in SECTIONS))


def assertion_flags(assertion: str, planned: bool) -> list[float]:
    """One-hot ConText assertion (affirmed = all zero) and the PLANNED modifier."""
    return [*(float(assertion == name) for name in ASSERTIONS), float(planned)]


def ngrams(text: str) -> list[str] | list[bytes]:
    """The lower-cased word unigrams, then bigrams, of ``text`` (sklearn's word analyzer).

    ASCII text is split as bytes, each non-word byte made a space: the same words as the
    regular expression, several times faster, and already the UTF-8 that gets hashed.
    """
    lower = text.lower()
    if lower.isascii():
        data = lower.encode().translate(_ASCII_WORD_BYTES).split()
        return [*data, *map(b" ".join, pairwise(data))]
    words: list[str] = _TOKEN.findall(lower)
    return [*words, *map(" ".join, pairwise(words))]


def hashed_ngrams(texts: Sequence[str]) -> csr_matrix:
    """L2-normalised n-gram counts, one row per text, columns sorted within a row.

    A column is ``|murmurhash3_32(n-gram)| mod HASHED``, as in sklearn's ``FeatureHasher``
    (hashing afresh is cheaper here than looking n-grams up in a cache).
    """
    grams = [ngrams(text) for text in texts]
    sizes = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    hashes = map(murmurhash3_32, chain.from_iterable(grams))
    keys = np.abs(np.fromiter(hashes, dtype=np.int64, count=int(sizes.sum()))) % HASHED
    keys += np.repeat(np.arange(len(texts), dtype=np.int64), sizes) * HASHED
    unique, counts = np.unique(keys, return_counts=True)
    row = unique // HASHED
    norms = np.sqrt(
        np.bincount(row, weights=np.square(counts, dtype=np.float64), minlength=len(texts))
    )
    indptr = np.searchsorted(row, np.arange(len(texts) + 1)).astype(np.int32)
    return csr_matrix(
        ((counts / norms[row]).astype(np.float32), (unique % HASHED).astype(np.int32), indptr),
        shape=(len(texts), HASHED),
    )


@dataclass(frozen=True)
class Rows:
    """Feature rows in three blocks (dense vectors, hashed n-grams, named signals)."""

    dense: npt.NDArray[np.float32]
    hashed: csr_matrix
    signals: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return int(self.dense.shape[0])


def rows(texts: Sequence[str], signals: Sequence[Sequence[float]]) -> Rows:
    """Rows for ``texts`` with their named ``signals`` (same length)."""
    width = len(signals[0]) if signals else 0
    if not texts:
        return Rows(
            np.zeros((0, DIMENSION), np.float32),
            csr_matrix((0, HASHED), dtype=np.float32),
            np.zeros((0, width), np.float32),
        )
    return Rows(
        dense=encode(list(texts)),
        hashed=hashed_ngrams(texts),
        signals=np.asarray(signals, dtype=np.float32).reshape(len(texts), width),
    )
