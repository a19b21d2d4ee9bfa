"""Build the ChartReady reader: a spaCy pipeline of registered components.

``spacy.blank("en")`` with scispaCy's rule tokenizer (keeps ``L4-L5`` whole) →
:mod:`sentences` → medspaCy Sectionizer writing to the Doc only (:mod:`sectionizer`; our
section rules) → :mod:`targets` → medspaCy ConText with
pruned pair loops (:mod:`context_graph`; default rules plus ours, token patterns turned
into phrases by :mod:`context_rules`). Build it once per process with :func:`get_reader`;
it is expensive.
"""

from __future__ import annotations

import gc
import json
import logging
from functools import lru_cache
from importlib import resources
from typing import Any

import spacy
from spacy.language import Language

from assistant.reader import (  # noqa: F401  (registers factories)
    context_graph,
    sectionizer,
    sentences,
    targets,
)
from assistant.reader.context_rules import reader_context_rules
from assistant.reader.doc_text import TextKeepingTokenizer
from assistant.reader.token_cache import CachePrimingTokenizer

RULES = resources.files("assistant.reader") / "rules"


def _silence_third_party_logs() -> None:
    """PyRuSH and medspaCy log per token at DEBUG through loguru; that can leak note text."""
    try:
        from loguru import logger

        for name in ("PyRuSH", "medspacy"):
            logger.disable(name)
    except ImportError:  # pragma: no cover - loguru comes with medspaCy
        pass
    logging.getLogger("medspacy").setLevel(logging.WARNING)


def context_rule_paths() -> list[str]:
    """Paths of the packaged ConText additions (``context*.json``, medspaCy format)."""
    return sorted(str(item) for item in RULES.iterdir() if item.name.startswith("context"))


def section_rules_path() -> str:
    """Path of the packaged section rules (medspaCy JSON format)."""
    return str(RULES / "sections.json")


def rule_versions() -> dict[str, str]:
    """Versions of every rule file that shapes the reader's output."""
    out = {"targets": targets.rules_version()}
    for item in sorted(RULES.iterdir(), key=lambda entry: entry.name):
        if item.name.endswith(".json"):
            data = json.loads(item.read_text(encoding="utf-8"))
            out[item.name.removesuffix(".json")] = str(data.get("version", "unversioned"))
    return out


def build_reader() -> Language:
    """Assemble a fresh reader pipeline (prefer :func:`get_reader`)."""
    _silence_third_party_logs()
    import medspacy  # noqa: F401  (registers medspacy_* factories)
    from medspacy.context import ConTextRule
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = TextKeepingTokenizer(CachePrimingTokenizer(combined_rule_tokenizer(nlp)))
    nlp.add_pipe("chartready_sentences")
    nlp.add_pipe(
        "chartready_sectionizer",
        config={"rules": None, "require_start_line": True, "phrase_matcher_attr": "LOWER"},
    )
    from medspacy.section_detection import SectionRule

    section_component: Any = nlp.get_pipe("chartready_sectionizer")
    titled = SectionRule.from_json(section_rules_path())
    section_component.add(titled)
    section_component.add_own_line(
        sectionizer.own_line_rules(titled, lambda text: [t.lower_ for t in nlp.tokenizer(text)])
    )
    nlp.add_pipe("chartready_field_sections")
    nlp.add_pipe("chartready_targets")
    context: Any = nlp.add_pipe(
        "chartready_context",
        config={"rules": None, "input_span_type": "group", "span_group_name": targets.SPAN_KEY},
    )
    defaults = ConTextRule.from_json(context.DEFAULT_RULES_FILEPATH)
    ours = [rule for path in context_rule_paths() for rule in ConTextRule.from_json(path)]
    context.add(
        reader_context_rules(defaults, ours, lambda text: [t.lower_ for t in nlp.tokenizer(text)])
    )
    return nlp


@lru_cache(maxsize=1)
def get_reader() -> Language:
    """The process-wide reader, built on first use.

    Its objects live as long as the process, so they are moved out of the cyclic garbage
    collector's reach (``gc.freeze``): otherwise every full collection rescans them, which
    made reading a 100 k-character note 2-5x slower than twice a 50 k one, and erratic.
    """
    reader = build_reader()
    gc.collect()
    gc.freeze()
    return reader
