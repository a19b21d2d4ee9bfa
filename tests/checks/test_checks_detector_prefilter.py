"""Detector hits are the same whether or not the Hyperscan prefilter skips patterns.

Without a layout: the prefilter decides which patterns run, before any ConText modifier
drops a hit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.checks.detectors import Detections, run_detector
from assistant.checks.registry import load_registry

CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/mtsamples/notes"
HAND_WRITTEN = Path(__file__).parent / "notes"


def _notes() -> list[str]:
    paths = sorted(CORPUS.glob("*.txt"))[:40] + sorted(HAND_WRITTEN.glob("*.txt"))
    texts = [path.read_text(encoding="utf-8") for path in paths]
    # Non-ASCII variants: the prefilter scans a shadow with stand-ins for these characters.
    return texts + [t.replace(" ", "\u00a0", 30).replace("e", "\u00e9", 20) for t in texts[:10]]


@pytest.mark.parametrize("text", _notes())
def test_detections_match_unfiltered_detectors(text: str) -> None:
    detectors = load_registry().detectors
    detections = Detections(text, detectors, None)
    for detector_id, detector in detectors.items():
        assert detections.hits(detector_id) == run_detector(detector, text, None)
