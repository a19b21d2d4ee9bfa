"""Feature rows for the learned layer: what a sentence says, and what the rules saw there.

A row is the sentence's static MiniLM vector (:mod:`static_embeddings`), its hashed word
unigrams and bigrams (stateless, so the artifact needs no vocabulary), and a few named
signals (section, ConText assertion, the rules' own reading). The three parts keep their
own weights in a :class:`~assistant.learned.artifact.LinearHead`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer

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
_HASHER = HashingVectorizer(
    n_features=HASHED,
    ngram_range=(1, 2),
    alternate_sign=False,
    norm="l2",
    lowercase=True,
    token_pattern=r"(?u)\b\w+\b",
    dtype=np.float32,
)


def section_flags(section: str | None) -> list[float]:
    """One-hot section (all zero for untitled text), plus "some other section"."""
    flags = [float(section == name) for name in SECTIONS]
    return [*flags, float(section is not None and section not in SECTIONS)]


def assertion_flags(assertion: str, planned: bool) -> list[float]:
    """One-hot ConText assertion (affirmed = all zero) and the PLANNED modifier."""
    return [*(float(assertion == name) for name in ASSERTIONS), float(planned)]


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
        hashed=csr_matrix(_HASHER.transform(list(texts))),
        signals=np.asarray(signals, dtype=np.float32).reshape(len(texts), width),
    )
