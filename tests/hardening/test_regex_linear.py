"""Every rule regex runs in time linear in the input (timed growth on doubling inputs).

A pattern is timed on an adversarial input of size n and 2n; the ratio of the best of
five timings must stay below ``MAX_RATIO`` (2.0 is linear, 4.0 quadratic). Inputs where
even 2n takes under ``FLOOR_S`` (a shared CI core makes shorter timings noisy) pass on
the first timing; a quadratic pattern at n = 16 k takes far longer (measured: seconds).
"""

from __future__ import annotations

import re
import time
from functools import cache

import pytest

from assistant.checks.registry import load_registry
from assistant.em import extract as em_extract
from assistant.em import level as em_level
from assistant.reader import layout as reader_layout
from assistant.reader.levels import LEVEL_MENTION
from assistant.reader.targets import compile_rules, default_rule_files
from assistant.text_scan import PLACEHOLDER, SENTENCE_END

N = 16_000
MAX_RATIO = 3.5
FLOOR_S = 0.02
BASE_UNITS = ("a", "L4-5 ", " ", "\n", " \t", "1", "a. ", "1/", "#", "A:", "\n\n")
FLAGS = re.IGNORECASE | re.MULTILINE


@cache
def _patterns() -> dict[str, tuple[re.Pattern[str], str]]:
    """Every regex the reader and the checks run over note text, by a readable name."""
    out: dict[str, tuple[re.Pattern[str], str]] = {}
    for rule in compile_rules(default_rule_files()):
        out[f"target:{rule.rule.id}"] = (rule.pattern, rule.rule.regex)
        if rule.lowered is not None:
            out[f"target-lowered:{rule.rule.id}"] = (rule.lowered, rule.rule.regex)
    registry = load_registry()
    for detector in registry.detectors.values():
        for kind, patterns in (("pattern", detector.patterns), ("unless", detector.unless)):
            for index, pattern in enumerate(patterns):
                out[f"detector:{detector.id}:{kind}{index}"] = (re.compile(pattern, FLAGS), pattern)
    # E/M patterns that run over the whole note; the others run on bounded windows
    # (see test_em_window_patterns_run_on_bounded_windows).
    cues = em_extract.default_cues()
    for (cue, compiled), lowered in zip(cues.cues, cues.lowered, strict=True):
        if cue.value == "not_addressed":
            continue
        out[f"em:cue:{cue.id}"] = (compiled, cue.regex)
        out[f"em:cue-lowered:{cue.id}"] = (lowered, cue.regex)
    for name, compiled in (
        ("reader:_LABEL", reader_layout._LABEL),
        ("em:_ITEM", em_extract._ITEM),
        ("em:_WRAP", em_extract._WRAP),
        ("em:_STOP", em_level._STOP),
        ("reader:LEVEL_MENTION", LEVEL_MENTION),
        ("text_scan:SENTENCE_END", SENTENCE_END),
        ("text_scan:PLACEHOLDER", PLACEHOLDER),
    ):
        out[name] = (compiled, compiled.pattern)
    return out


def _vocabulary(regex: str, limit: int = 3) -> list[str]:
    """Words of the pattern itself (escapes such as ``\\s`` removed), longest first."""
    words = set(re.findall(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]", " ", regex.lower())))
    return sorted(words, key=lambda w: (-len(w), w))[:limit]


def _shapes(regex: str, n: int) -> list[tuple[str, str, str]]:
    """(label, input of size ~n, input of size ~2n) adversarial pairs for one pattern."""
    shapes = []
    for unit in BASE_UNITS:
        shapes.append((f"repeat {unit!r}", unit * (n // len(unit)), unit * (2 * n // len(unit))))
    for word in _vocabulary(regex):
        for unit in (f"{word} ", f"\n{word}: "):
            shapes.append(
                (f"repeat {unit!r}", unit * (n // len(unit)), unit * (2 * n // len(unit)))
            )
        shapes.append((f"{word!r} + spaces", f"{word}{' ' * n}", f"{word}{' ' * 2 * n}"))
        tabs = "\t" * n
        shapes.append((f"{word!r}: + tabs", f"{word}:{tabs}", f"{word}:{tabs}{tabs}"))
    return shapes


def _time(pattern: re.Pattern[str], text: str) -> float:
    """CPU time of one full scan (other jobs on a shared machine do not count)."""
    started = time.process_time()
    for _ in pattern.finditer(text):
        pass
    return time.process_time() - started


def _best(pattern: re.Pattern[str], text: str, runs: int = 5) -> float:
    return min(_time(pattern, text) for _ in range(runs))


def growth_ratio(pattern: re.Pattern[str], small: str, large: str) -> float | None:
    """Time ratio large/small (best of 3), or None when ``large`` is below timer noise."""
    if _time(pattern, large) < FLOOR_S:
        return None
    return _best(pattern, large) / max(_best(pattern, small), 1e-9)


@pytest.mark.slow
@pytest.mark.parametrize(
    "source",
    ["target:", "target-lowered:", "detector:", "section:", "em:", "reader:", "checks:"],
)
def test_rule_regexes_linear_on_doubling(source: str) -> None:
    """The full sweep, run with ``--slow`` (long: tens of minutes on a shared core)."""
    offenders = []
    for name, (pattern, regex) in _patterns().items():
        if not name.startswith(source):
            continue
        for label, small, large in _shapes(regex, N):
            ratio = growth_ratio(pattern, small, large)
            if ratio is not None and ratio > MAX_RATIO:
                offenders.append(f"{name} on {label}: x{ratio:.1f} when the input doubles")
    assert not offenders, "\n".join(offenders)


def test_em_window_patterns_run_on_bounded_windows() -> None:
    """E/M triggers, clause/sentence breaks and label names only ever see short windows.

    Triggers and breaks run on ``scope_chars`` characters around a cue, label patterns on
    a label of at most 61 characters, "not addressed" cues as one anchored match per
    assessment item, ``_OF``/``_PRE_BREAK`` on 30 characters around a test and ``_NEG`` on
    15: their cost per call is bounded, so they are not swept on 32 k-character inputs.
    """
    cues = em_extract.default_cues()
    assert cues.data.scope_chars <= 200
    assert reader_layout._LABEL.pattern.count("{0,60}") == 1
    anchored = [cue for cue, _ in cues.cues if cue.value == "not_addressed"]
    assert anchored and all(cue.kind == "problem" for cue in anchored)


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        (r"^[ \t]*(?:a)?[ \t]*(?:a)?[ \t]*b", " " * 1000 + "c"),
    ],
)
def test_growth_ratio_flags_superlinear_pattern(regex: str, text: str) -> None:
    """The measure itself can fail: a known backtracking pattern shows super-linear growth.

    The pattern backtracks cubically (ratio about 8 on doubling), so a busy machine cannot
    pull it under the limit; a quadratic one (ratio 4) sat too close to 3.5 and once did.
    """
    pattern = re.compile(regex, re.MULTILINE)
    half = text[: len(text) // 2] + text[-1]
    ratio = growth_ratio(pattern, half, text)
    assert ratio is not None
    assert ratio > MAX_RATIO


@pytest.mark.parametrize(
    ("name", "unit", "kind"),
    [
        ("target:el.exam.header", "exam", "spaces"),
        ("target:el.exam.header", " \t", "repeat"),
        ("target:el.score.vas", "vas", "spaces"),
        ("target:el.anes.header", "anesthesia:", "tabs"),
        ("target-lowered:el.anes.header", "sedation:", "tabs"),
        ("text_scan:SENTENCE_END", "a. ", "repeat"),
        ("detector:consent_statement:pattern2", "\n", "repeat"),
        ("reader:LEVEL_MENTION", "L4-5 ", "repeat"),
    ],
)
def test_fixed_backtracking_rules_stay_linear(name: str, unit: str, kind: str) -> None:
    """Shapes that were quadratic or worse before the rules were fixed (possessive
    quantifiers; section headers indented by ``[ \\t]*``, not ``\\s*`` across blank lines)."""
    pattern, _ = _patterns()[name]
    if kind == "repeat":
        small, large = unit * (N // len(unit)), unit * (2 * N // len(unit))
    else:
        pad = " " if kind == "spaces" else "\t"
        small, large = unit + pad * N, unit + pad * 2 * N
    ratio = growth_ratio(pattern, small, large)
    assert ratio is None or ratio < MAX_RATIO
