"""Load and validate the packaged E/M rule data (``assistant/em/rules/*.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from assistant.em.schema import CueFile, FindingFile
from assistant.errors import RuleFileError, validation_paths

CUES_FILE = "cues.v1.yaml"
FINDINGS_FILE = "findings.v1.yaml"

_M = TypeVar("_M", bound=BaseModel)


def parse(model: type[_M], name: str, text: str) -> _M:
    """Validate YAML ``text`` as ``model``; errors name the file and the path inside it."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleFileError(f"{name}: invalid YAML: {exc}") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise RuleFileError(f"{name}: {validation_paths(exc)}") from exc


def _packaged(name: str) -> str:
    return (resources.files("assistant.em") / "rules" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def cue_file() -> CueFile:
    """The packaged cue patterns."""
    return parse(CueFile, CUES_FILE, _packaged(CUES_FILE))


@lru_cache(maxsize=1)
def finding_file() -> FindingFile:
    """The packaged finding rules, thresholds and code tables."""
    return parse(FindingFile, FINDINGS_FILE, _packaged(FINDINGS_FILE))


def load_path(model: type[_M], path: Path) -> _M:
    """Validate a user-supplied rule file (same checks as the packaged one)."""
    return parse(model, str(path), path.read_text(encoding="utf-8"))


def rules_version() -> str:
    """Versions of both data files, echoed in every assessment."""
    return f"{cue_file().version}+{finding_file().version}"
