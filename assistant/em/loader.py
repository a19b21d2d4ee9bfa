"""The packaged E/M rule data (``assistant/em/rules/*.yaml``), validated once per process."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from assistant.datafiles import load_yaml
from assistant.em.schema import CueFile, FindingFile

CUES_FILE = "cues.v1.yaml"
FINDINGS_FILE = "findings.v1.yaml"
RULES = resources.files("assistant.em") / "rules"


@lru_cache(maxsize=1)
def cue_file() -> CueFile:
    """The packaged cue patterns."""
    return load_yaml(RULES / CUES_FILE, CueFile)


@lru_cache(maxsize=1)
def finding_file() -> FindingFile:
    """The packaged finding rules, thresholds and code tables."""
    return load_yaml(RULES / FINDINGS_FILE, FindingFile)


def rules_version() -> str:
    """Versions of both data files, echoed in every assessment."""
    return f"{cue_file().version}+{finding_file().version}"
