from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import joblib
import pytest
import sklearn
import sklearn.base

from assistant.errors import RiskModelError, RiskModelVersionError
from assistant.risk import load_active_model
from assistant.risk.model import (
    ENV_MODEL,
    ENV_MODELS_DIR,
    MANIFEST_FILE,
    MODEL_FILE,
    active_version,
    clear_model_cache,
    list_versions,
    load_model,
    models_dir,
    new_version_name,
    set_active,
    validate_version_name,
)
from assistant.risk.train import TrainResult


@pytest.fixture
def root(tmp_path: Path, trained: TrainResult) -> Path:
    assert trained.path is not None
    shutil.copytree(trained.path, tmp_path / "risk" / "t1")
    return tmp_path / "risk"


def _edit_manifest(directory: Path, **changes: object) -> None:
    path = directory / MANIFEST_FILE
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_load_refuses_manifest_from_other_sklearn(root: Path) -> None:
    _edit_manifest(root / "t1", sklearn_version="1.3.2")
    with pytest.raises(RiskModelVersionError, match=r"1\.3\.2.*" + sklearn.__version__) as info:
        load_model("t1", root)
    assert info.value.code == "E302"


def test_load_refuses_pickle_from_other_sklearn(
    root: Path, trained: TrainResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The manifest claims this version, but the pickle itself was written by "0.24.2".
    monkeypatch.setattr(sklearn.base, "__version__", "0.24.2")
    joblib.dump(trained.estimator, root / "t1" / MODEL_FILE)
    monkeypatch.undo()
    with pytest.raises(RiskModelVersionError, match=r"0\.24\.2") as info:
        load_model("t1", root)
    assert info.value.code == "E302"


def test_load_refuses_other_feature_definitions(root: Path) -> None:
    _edit_manifest(root / "t1", features_version="risk-features/v0")
    with pytest.raises(RiskModelError, match=r"risk-features/v0.*retrain") as info:
        load_model("t1", root)
    assert info.value.code == "E301"


@pytest.mark.parametrize("version", ["missing", "../t1", "ACTIVE", ""])
def test_load_refuses_unknown_or_unsafe_versions(root: Path, version: str) -> None:
    with pytest.raises(RiskModelError) as info:
        load_model(version, root)
    assert info.value.code == "E301"


def test_set_active_and_env_override(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(root / "t1", root / "t2")
    _edit_manifest(root / "t2", version="t2")
    monkeypatch.setenv(ENV_MODELS_DIR, str(root.parent))
    monkeypatch.delenv(ENV_MODEL, raising=False)
    clear_model_cache()
    assert models_dir() == root
    assert list_versions() == ["t1", "t2"]
    with pytest.raises(RiskModelError, match="no active risk model"):
        active_version()
    set_active("t2")
    assert active_version() == "t2"
    assert load_active_model().version == "t2"
    monkeypatch.setenv(ENV_MODEL, "t1")
    assert load_active_model().version == "t1"
    monkeypatch.setenv(ENV_MODEL, str(root / "t2"))
    assert load_active_model().version == "t2"
    clear_model_cache()


def test_set_active_refuses_broken_model(root: Path) -> None:
    _edit_manifest(root / "t1", sklearn_version="0.1")
    with pytest.raises(RiskModelVersionError):
        set_active("t1", root)
    assert not (root / "ACTIVE").exists()


def test_new_version_name_is_valid_timestamp() -> None:
    name = new_version_name()
    assert validate_version_name(name) == name
    assert len(name) == 15 and name[8] == "-"


def test_shipped_default_model_is_active_small_and_simulated() -> None:
    model = load_active_model()
    assert model.manifest.training_data.simulated
    assert model.path is not None
    assert (model.path / MODEL_FILE).stat().st_size < 1_000_000
    card = (model.path / "MODEL_CARD.md").read_text()
    assert "not trained on real remittance data" in card


def _write_active(root: Path, version: str, mtime_ns: int | None = None) -> None:
    """What a promotion by another process leaves behind (this process's caches untouched)."""
    path = root / "ACTIVE"
    path.write_text(version + "\n", encoding="utf-8")
    if mtime_ns is not None:  # a later promotion has a later mtime, even within one clock tick
        os.utime(path, ns=(mtime_ns, mtime_ns))


@pytest.mark.parametrize(
    ("second", "advance_mtime"),
    [("t2", True), ("t2-longer", False)],
    ids=["same-size-later-mtime", "other-size"],
)
def test_active_model_follows_promotion_by_another_process(
    root: Path, monkeypatch: pytest.MonkeyPatch, second: str, advance_mtime: bool
) -> None:
    shutil.copytree(root / "t1", root / second)
    _edit_manifest(root / second, version=second)
    monkeypatch.setenv(ENV_MODELS_DIR, str(root.parent))
    monkeypatch.delenv(ENV_MODEL, raising=False)
    _write_active(root, "t1")
    assert load_active_model().version == "t1"
    later = (root / "ACTIVE").stat().st_mtime_ns + 1_000_000_000 if advance_mtime else None
    _write_active(root, second, later)
    assert active_version() == second
    assert load_active_model().version == second


def test_active_version_reads_the_file_only_when_it_changes(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_active(root, "t1")
    reads: list[Path] = []
    read_text = Path.read_text

    def counting(self: Path, *args: Any, **kwargs: Any) -> str:
        reads.append(self)
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    assert [active_version(root) for _ in range(3)] == ["t1"] * 3
    assert reads == [root / "ACTIVE"]
    (root / "ACTIVE").unlink()
    with pytest.raises(RiskModelError, match="no active risk model"):
        active_version(root)
