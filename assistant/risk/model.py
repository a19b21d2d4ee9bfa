"""Risk-model artifacts: ``models/risk/<version>/{model.joblib, manifest.json, MODEL_CARD.md}``.

A model directory is never overwritten; ``ACTIVE`` (one line, a version name) says which
one the assistant uses, and the ``CHARTREADY_RISK_MODEL`` environment variable (a version
name or a directory) overrides it. The manifest records the scikit-learn version: a pickle
from another version is refused with a coded error rather than silently mis-scored.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from pydantic import ValidationError
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.linear_model import LogisticRegression

from assistant.errors import Errors, RiskModelError, RiskModelVersionError, validation_paths
from assistant.risk.features import build_space, feature_config
from assistant.risk.schema import ModelManifest

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
CARD_FILE = "MODEL_CARD.md"
PLOT_FILE = "calibration.png"
ACTIVE_FILE = "ACTIVE"
ENV_MODEL = "CHARTREADY_RISK_MODEL"
ENV_MODELS_DIR = "CHARTREADY_MODELS_DIR"
_VERSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def models_dir() -> Path:
    """Folder holding risk-model versions: ``$CHARTREADY_MODELS_DIR/risk`` or the repo's.

    ``models/`` is a top-level folder of the source tree, not package data, so the default
    is found relative to this file; deployments set ``CHARTREADY_MODELS_DIR``.
    """
    root = os.environ.get(ENV_MODELS_DIR)
    return (Path(root) if root else _repo_models()) / "risk"


@lru_cache(maxsize=1)
def _repo_models() -> Path:
    return Path(__file__).resolve().parents[2] / "models"


@dataclass(frozen=True)
class RiskModel:
    """A loaded logistic-regression risk model with its manifest."""

    version: str
    estimator: LogisticRegression
    manifest: ModelManifest
    path: Path | None = None

    @property
    def coefficients(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Per-feature weights on the logit scale, in manifest feature order."""
        return np.asarray(self.estimator.coef_[0], dtype=np.float64)

    @property
    def intercept(self) -> float:
        """The logit of a note with every feature at 0 (the 'baseline' factor)."""
        return float(self.estimator.intercept_[0])


def validate_version_name(version: str) -> str:
    """Refuse names that could escape ``models/risk`` or clash with ``ACTIVE``."""
    if not _VERSION_NAME.match(version) or version == ACTIVE_FILE:
        raise RiskModelError(
            Errors.E301, where=f"risk model {version!r}", problem="not a valid version name"
        )
    return version


def new_version_name(now: datetime | None = None) -> str:
    """A timestamp version name, ``YYYYMMDD-HHMMSS`` (UTC)."""
    return (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")


def _read_manifest(directory: Path) -> ModelManifest:
    path = directory / MANIFEST_FILE
    try:
        return ModelManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RiskModelError(Errors.E301, where=path, problem=f"cannot read ({exc})") from exc
    except ValidationError as exc:
        raise RiskModelError(Errors.E301, where=path, problem=validation_paths(exc)) from exc


def _version_mismatch(version: str, saved: str) -> RiskModelVersionError:
    return RiskModelVersionError(
        Errors.E302, version=version, saved=saved, installed=sklearn.__version__
    )


def load_model_dir(directory: Path) -> RiskModel:
    """Load and check one model directory (manifest first, then the pickle)."""
    manifest = _read_manifest(directory)
    if manifest.sklearn_version != sklearn.__version__:
        raise _version_mismatch(manifest.version, manifest.sklearn_version)
    expected = build_space(feature_config())
    if manifest.features_version != expected.version or tuple(manifest.features) != expected.names:
        raise RiskModelError(
            Errors.E301,
            where=f"risk model {manifest.version!r}",
            problem=f"uses features {manifest.features_version}, this code computes "
            f"{expected.version}; retrain it.",
        )
    path = directory / MODEL_FILE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            estimator = joblib.load(path)
    except InconsistentVersionWarning as exc:
        raise _version_mismatch(manifest.version, exc.original_sklearn_version) from exc
    except (OSError, EOFError, ValueError) as exc:
        raise RiskModelError(Errors.E301, where=path, problem=f"cannot load ({exc})") from exc
    if not isinstance(estimator, LogisticRegression) or estimator.coef_.shape != (
        1,
        len(expected.names),
    ):
        problem = f"not a logistic regression over {len(expected.names)} features"
        raise RiskModelError(Errors.E301, where=path, problem=problem)
    return RiskModel(manifest.version, estimator, manifest, directory)


def load_model(version: str, root: Path | None = None) -> RiskModel:
    """Load ``version`` from ``root`` (default ``models_dir()``)."""
    root = root or models_dir()
    directory = root / validate_version_name(version)
    if not directory.is_dir():
        where, problem = f"risk model {version!r}", f"not found in {root}"
        raise RiskModelError(Errors.E301, where=where, problem=problem)
    return load_model_dir(directory)


def active_version(root: Path | None = None) -> str:
    """The version named in ``ACTIVE`` (the environment variable is not consulted here).

    Every check asks, so the file is only re-read when its stat says it changed (a stat
    is far cheaper than opening and decoding it): a promotion by another process still
    takes effect on the next call.
    """
    path = (root or models_dir()) / ACTIVE_FILE
    try:
        stat = path.stat()
        return _read_active(path, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    except OSError as exc:
        problem = f"no active risk model ({exc.strerror})"
        raise RiskModelError(Errors.E301, where=path, problem=problem) from exc


@lru_cache(maxsize=8)
def _read_active(path: Path, inode: int, size: int, mtime_ns: int, ctime_ns: int) -> str:
    """``ACTIVE``'s version name, cached per file state (the stat fields are the cache key)."""
    del inode, size, mtime_ns, ctime_ns  # only part of the key
    return validate_version_name(path.read_text(encoding="utf-8").strip())


def set_active(version: str, root: Path | None = None) -> RiskModel:
    """Make ``version`` the active model after checking that it loads."""
    root = root or models_dir()
    model = load_model(version, root)
    (root / ACTIVE_FILE).write_text(version + "\n", encoding="utf-8")
    clear_model_cache()
    return model


def list_versions(root: Path | None = None) -> list[str]:
    """Model versions present (directories with a manifest), oldest name first."""
    root = root or models_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / MANIFEST_FILE).is_file())


def read_manifest(version: str, root: Path | None = None) -> ModelManifest:
    """A version's manifest without loading its pickle (works across sklearn versions)."""
    return _read_manifest((root or models_dir()) / validate_version_name(version))


@lru_cache(maxsize=4)
def _load_cached(spec: str, root: str) -> RiskModel:
    candidate = Path(spec)
    if candidate.is_dir():
        return load_model_dir(candidate)
    return load_model(spec, Path(root))


def load_active_model() -> RiskModel:
    """The model the assistant scores with: ``$CHARTREADY_RISK_MODEL`` or ``ACTIVE`` (cached)."""
    root = models_dir()
    spec = os.environ.get(ENV_MODEL) or active_version(root)
    return _load_cached(spec, str(root))


def clear_model_cache() -> None:
    """Forget cached models and ``ACTIVE`` reads (after ``set_active``, a change of env)."""
    _load_cached.cache_clear()
    _read_active.cache_clear()


def save_model(
    estimator: LogisticRegression,
    manifest: ModelManifest,
    card: str,
    root: Path | None = None,
    extra_files: dict[str, bytes] | None = None,
) -> Path:
    """Write a new version directory; refuses to touch an existing one."""
    root = root or models_dir()
    directory = root / validate_version_name(manifest.version)
    if directory.exists():
        raise RiskModelError(Errors.E304, directory=directory)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".{manifest.version}.partial"
    tmp.mkdir()
    joblib.dump(estimator, tmp / MODEL_FILE, compress=3)
    (tmp / MANIFEST_FILE).write_text(
        json.dumps(manifest.model_dump(mode="json", by_alias=True), indent=2) + "\n",
        encoding="utf-8",
    )
    (tmp / CARD_FILE).write_text(card, encoding="utf-8")
    for name, data in (extra_files or {}).items():
        (tmp / name).write_bytes(data)
    tmp.rename(directory)
    return directory
