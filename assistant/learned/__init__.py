"""A learned second opinion for the elements rules read worst (issue 9).

MiniLM sentence embeddings + one logistic regression per element, trained on
sentence labels kept as data in ``models/learned/labels``. :func:`learned_elements` may only
add elements the rules missed, each with the sentence as evidence and the model's score.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from assistant.facts import Elements, Evidence
from assistant.learned.schema import LearnedModel

#: Whether callers should apply the learned pass unless told otherwise. Measured on the dev
#: gold (models/learned/MODEL_CARD.md): no element gained, one false positive, 6-9x
#: slower (under load); so it stays an opt-in second opinion.
ENABLED_BY_DEFAULT = False


@lru_cache(maxsize=1)
def _model_or_none() -> LearnedModel | None:
    from assistant.learned.artifact import default_folder, load_model
    from assistant.learned.data import LearnedDataError
    from assistant.learned.embed import model_path

    if model_path() is None:
        return None
    try:
        return load_model(default_folder())
    except LearnedDataError:
        return None


def learned_available() -> bool:
    """True when both the trained artifact and the bundled encoder weights are present."""
    return _model_or_none() is not None


def learned_version() -> str | None:
    """Version of the learned model in use, for reporting next to the reader's version."""
    model = _model_or_none()
    return None if model is None else model.version


def learned_elements(
    text: str, sentences: list[tuple[int, int]], elements: Elements
) -> tuple[Elements, list[Evidence]]:
    """Add elements the rules missed when a sentence scores above its element's threshold.

    Never removes an element; returns the input unchanged when the model is unavailable.
    ``sentences`` are ``(start, end)`` character offsets into ``text`` (e.g. ``doc.sents``).
    """
    model = _model_or_none()
    if model is None:
        return elements, []
    from assistant.learned.embed import embed, inference_threads
    from assistant.learned.infer import apply_learned

    threads = inference_threads()

    def embedder(texts: list[str]) -> npt.NDArray[np.float32]:
        return embed(
            texts,
            batch_size=model.embedding.batch_size,
            max_length=model.embedding.max_length,
            by_length=True,
            threads=threads,
        )

    return apply_learned(model, embedder, text, sentences, elements)
