"""Pure functions: which sentences are worth embedding, and their exact character spans."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence


def keyword_pattern(keywords: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any keyword at a word start."""
    return re.compile(r"\b(?:" + "|".join(f"(?:{k})" for k in keywords) + ")", re.IGNORECASE)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past leading and trailing whitespace (offsets stay in ``text``)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def candidate_sentences(
    text: str,
    sentences: Sequence[tuple[int, int]],
    patterns: Mapping[str, re.Pattern[str]],
    max_chars: int,
) -> dict[str, list[tuple[int, int]]]:
    """Trimmed sentence spans per element whose keywords match (sentences too long skipped).

    Long "sentences" are usually run-together lists or templates; a 128-token encoder would
    truncate them anyway, so they are left to the rules.
    """
    out: dict[str, list[tuple[int, int]]] = {name: [] for name in patterns}
    for raw_start, raw_end in sentences:
        start, end = trim_span(text, raw_start, raw_end)
        if end - start < 8 or end - start > max_chars:
            continue
        sentence = text[start:end]
        for name, pattern in patterns.items():
            if pattern.search(sentence):
                out[name].append((start, end))
    return out
