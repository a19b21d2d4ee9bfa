"""The reader's learned layer: small linear heads over static MiniLM vectors (issue 14).

:func:`default_layer` loads the artifact in ``models/learned`` (or
``$CHARTREADY_MODELS_DIR/learned``) once per process; the reader applies it unless
``CHARTREADY_LEARNED=0``. Without the artifact or the bundled MiniLM weights the reader
runs on its rules alone, and says so in its version string.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from assistant.errors import Errors, LearnedDataError
from assistant.learned.heads import HEADS_FILE, load_heads
from assistant.learned.layer import LearnedLayer
from assistant.learned.static_embeddings import model_path

logger = logging.getLogger("chartready.learned")
ENV_MODELS_DIR = "CHARTREADY_MODELS_DIR"


def learned_dir() -> Path:
    """``$CHARTREADY_MODELS_DIR/learned`` or the source tree's ``models/learned``."""
    root = os.environ.get(ENV_MODELS_DIR)
    base = Path(root) if root else Path(__file__).resolve().parents[2] / "models"
    return base / "learned"


def load_layer(folder: Path) -> LearnedLayer:
    """The layer stored in ``folder`` (see :mod:`assistant.learned.heads`)."""
    try:
        heads, manifest = load_heads(folder)
    except (OSError, KeyError, ValueError) as exc:
        raise LearnedDataError(Errors.E701, where=folder, problem=str(exc)) from None
    return LearnedLayer(str(manifest["version"]), heads)


@lru_cache(maxsize=1)
def default_layer() -> LearnedLayer | None:
    """The packaged layer, or ``None`` (rules only) when it or MiniLM's weights are missing."""
    folder = learned_dir()
    if model_path() is None or not (folder / HEADS_FILE).exists():
        logger.warning("learned layer unavailable; reading with rules only")
        return None
    return load_layer(folder)


__all__ = ["LearnedLayer", "default_layer", "learned_dir", "load_layer"]
