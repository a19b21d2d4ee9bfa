"""Load the learned component's data files and hash them (the hash goes in the manifest)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.errors import ChartReadyError, validation_paths
from assistant.learned.schema import LabelRow, LearnedConfig

ENV_MODELS_DIR = "CHARTREADY_MODELS_DIR"
CONFIG_FILE = "config.v1.yaml"
LABELS_DIR = "labels"
MODEL_FILE = "model.json"
MANIFEST_FILE = "manifest.json"
_M = TypeVar("_M", bound=BaseModel)


class LearnedDataError(ChartReadyError):
    """A learned-model configuration, label file or artifact is missing or invalid."""

    code = "E701"


def learned_dir() -> Path:
    """``$CHARTREADY_MODELS_DIR/learned`` or the source tree's ``models/learned``.

    ``models/`` is a top-level folder, not package data (as for the risk model).
    """
    root = os.environ.get(ENV_MODELS_DIR)
    base = Path(root) if root else Path(__file__).resolve().parents[2] / "models"
    return base / "learned"


def validate_model(model: type[_M], data: object, where: str) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise LearnedDataError(f"{LearnedDataError.code} {where}: {validation_paths(exc)}") from exc


def load_config(path: Path | None = None) -> LearnedConfig:
    """Parse and validate ``config.v1.yaml``."""
    path = path or learned_dir() / CONFIG_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LearnedDataError(f"{LearnedDataError.code} '{path.name}': {exc}") from exc
    return validate_model(LearnedConfig, data, f"'{path.name}'")


def label_files(folder: Path | None = None) -> list[Path]:
    """The label files (``*.jsonl``), in name order."""
    folder = folder or learned_dir() / LABELS_DIR
    return sorted(folder.glob("*.jsonl"))


def load_labels(paths: Iterable[Path]) -> list[LabelRow]:
    """All label rows; an invalid row names its file, line and field."""
    rows: list[LabelRow] = []
    seen: set[str] = set()
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"'{path.name}' line {number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LearnedDataError(f"{LearnedDataError.code} {where}: {exc}") from exc
            row = validate_model(LabelRow, data, where)
            if row.id in seen:
                raise LearnedDataError(f"{LearnedDataError.code} {where}: duplicate id {row.id}")
            seen.add(row.id)
            rows.append(row)
    return rows


def data_hash(rows: Iterable[LabelRow]) -> str:
    """sha256 of the label rows in canonical form (order-independent)."""
    canonical = sorted(json.dumps(r.model_dump(mode="json"), sort_keys=True) for r in rows)
    return hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest()


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
