"""The learned layer's fast path against straightforward references, on sentences made up here.

References: scikit-learn's ``HashingVectorizer`` for the hashed n-grams, model2vec's own
``StaticModel.encode`` for the sentence vectors, each head alone for the stacked heads, and
a float64 numpy computation of every score for the layer's decisions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import HashingVectorizer

from assistant.facts import Elements
from assistant.learned.features import HASHED, hashed_ngrams, rows
from assistant.learned.heads import LinearHead, sigmoid, stacked
from assistant.learned.layer import LearnedLayer, sentence_rows
from assistant.learned.static_embeddings import DIMENSION, encode, model_path, sentence_encoder
from assistant.reader.reading import NoteReading, Sentence

SENTENCES = [
    "Patient reports low back pain for 6 months, worse with sitting.",
    "PT x 8 weeks and NSAIDs failed; pain 7/10 at rest.",
    "She can't walk more than two blocks -- needs a cane.",
    "Fluoroscopic images were saved to the archive.",
    "Follow up in 2 weeks. Repeat repeat REPEAT the words, the words.",
    "snake_case_token and under_score words",
    "Café naïve résumé — Ⅻ and a sign",
    "Kelvin \u212a only",
    "腰痛 since 2019",
    "Tab\tseparated\nlines\r\nand a vertical\x0btab",
    "Token [MASK] and [CLS] written out",
    "x" * 150 + " supercalifragilistic",
    " ".join(["word"] * 300),
    "start " + "b. " * 800,
    " ".join(["international"] * 150),
    "",
    "...!!!",
    "UPPER lower MiXeD 123abc",
]
ELEMENTS = ("pain_duration", "conservative_therapy", "functional_impairment", "images_saved")

needs_minilm = pytest.mark.skipif(model_path() is None, reason="bundled MiniLM weights absent")


def reference_hashed(texts: list[str]) -> csr_matrix:
    vectorizer = HashingVectorizer(
        n_features=HASHED,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm="l2",
        lowercase=True,
        token_pattern=r"(?u)\b\w+\b",
        dtype=np.float32,
    )
    return csr_matrix(vectorizer.transform(texts))


def test_hashed_ngrams_equal_sklearn_entry_for_entry() -> None:
    ours, reference = hashed_ngrams(SENTENCES), reference_hashed(SENTENCES)
    assert ours.shape == reference.shape
    assert np.array_equal(ours.indptr, reference.indptr)
    assert np.array_equal(ours.indices, reference.indices)
    assert ours.data.tobytes() == reference.data.tobytes()


@needs_minilm
def test_sentence_vectors_equal_model2vec_bit_for_bit() -> None:
    reference = np.asarray(sentence_encoder().encode(SENTENCES), dtype=np.float32)
    ours = encode(SENTENCES)
    assert ours.shape == (len(SENTENCES), DIMENSION)
    assert ours.tobytes() == reference.tobytes()
    assert not ours[SENTENCES.index("")].any()


def random_head(
    name: str, seed: int, intercept: float, width: int, threshold: float | None = None
) -> LinearHead:
    rng = np.random.default_rng(seed)
    hashed = rng.normal(size=(1, HASHED)).astype(np.float32)
    hashed[rng.random((1, HASHED)) < 0.5] = 0.0
    return LinearHead(
        name=name,
        classes=("yes",),
        dense=rng.normal(scale=2.0, size=(1, DIMENSION)).astype(np.float32),
        hashed=csr_matrix(hashed),
        signals=rng.normal(size=(1, width)).astype(np.float32),
        intercept=np.array([intercept], dtype=np.float32),
        thresholds={"yes": threshold} if threshold else {},
    )


def reference_logits(
    head: LinearHead, texts: list[str], signals: npt.NDArray[np.float32]
) -> npt.NDArray[np.float64]:
    """One head's scores in float64, from model2vec's vectors and sklearn's hashed rows."""
    dense = np.asarray(sentence_encoder().encode(texts), dtype=np.float64)
    hashed = reference_hashed(texts).toarray().astype(np.float64)
    return np.asarray(
        dense @ head.dense.astype(np.float64).T
        + hashed @ head.hashed.toarray().astype(np.float64).T
        + signals.astype(np.float64) @ head.signals.astype(np.float64).T
        + head.intercept.astype(np.float64)
    )


@needs_minilm
def test_a_stacked_head_scores_each_column_as_its_head_alone() -> None:
    signals = [[float(i % 3 == 0), i / len(SENTENCES)] for i in range(len(SENTENCES))]
    features = rows(SENTENCES, signals)
    heads = {name: random_head(name, i, 0.5 - i, 2) for i, name in enumerate(ELEMENTS)}
    together = stacked("elements", heads).logits(features)
    assert together.shape == (len(SENTENCES), len(heads))
    for column, head in enumerate(heads.values()):
        alone = head.logits(features)[:, 0]
        assert together[:, column].tobytes() == alone.tobytes()
        expected = reference_logits(head, SENTENCES, features.signals)[:, 0]
        np.testing.assert_allclose(alone, expected, rtol=0, atol=1e-4)
        assert np.array_equal(sigmoid(together)[:, column], head.probabilities(features)[:, 0])


def made_up_note() -> NoteReading:
    """A note of the test sentences, one per line, in a few sections."""
    sections = (None, "history_of_present_illness", "physical_exam", "procedure", "oddity")
    spans: list[Sentence] = []
    at = 0
    for i, sentence in enumerate(s for s in SENTENCES if s):
        spans.append(Sentence(at, at + len(sentence), sections[i % len(sections)]))
        at += len(sentence) + 1
    text = "\n".join(s for s in SENTENCES if s)
    return NoteReading(text=text, targets=(), sentences=tuple(spans))


@needs_minilm
def test_the_layer_adds_what_a_float64_reference_decides() -> None:
    reading = made_up_note()
    texts = [reading.sentence_text(s) for s in reading.sentences]
    signals = sentence_rows(reading, False).signals
    settings = ((4.0, 0.97), (0.0, 0.6), (-1.0, 0.5), (-30.0, 0.5))
    heads = {
        f"element.{name}": random_head(name, 10 + i, intercept, signals.shape[1], threshold)
        for i, (name, (intercept, threshold)) in enumerate(zip(ELEMENTS, settings, strict=True))
    }
    layer = LearnedLayer("test", heads)
    elements, evidence = layer.elements(reading, Elements(conservative_therapy=True), [])

    expected: list[tuple[str, int, str]] = []
    for name in ("pain_duration", "functional_impairment", "images_saved"):
        scores = 1.0 / (1.0 + np.exp(-reference_logits(heads[f"element.{name}"], texts, signals)))
        best = int(np.argmax(scores[:, 0]))
        if scores[best, 0] >= heads[f"element.{name}"].thresholds["yes"]:
            expected.append((name, reading.sentences[best].start, f"p={scores[best, 0]:.2f}"))
    found = [(e.field.removeprefix("elements."), e.start, e.trigger) for e in evidence]
    assert found == expected
    assert [name for name, _, _ in found] == ["pain_duration", "functional_impairment"]
    assert elements.conservative_therapy and not elements.images_saved
    assert all(getattr(elements, name) for name, _, _ in found)
