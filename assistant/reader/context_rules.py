"""ConText rules for the reader, with token patterns turned into equivalent phrases.

medspaCy's default ConText rules use spaCy token patterns such as
``[{"LOWER": {"IN": ["deny", "denies"]}}]``. spaCy's ``Matcher`` evaluates every ``IN``
set as a Python predicate on every token of the note, which made it the costliest part
of the reader. Patterns built only from ``LOWER`` values (plain or ``IN`` sets, optionally
``OP: "?"``) match exactly the phrases of their expansion, so each expansion becomes a
phrase rule for the ``PhraseMatcher`` (one hash lookup per token). Anything else, and any
phrase the tokenizer would split differently, stays a token pattern.

Where our rules name the same phrase as a default rule, ours win: two modifiers on the
same words would otherwise be decided by match order, which is not a rule anyone wrote.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from medspacy.context import ConTextRule

TokenPattern = Sequence[dict[str, Any]]


def _choices(token: dict[str, Any]) -> list[str | None] | None:
    """The lower-case words one pattern token accepts (``None`` = skipped).

    None if the token uses anything but ``LOWER`` and ``OP: "?"``.
    """
    if set(token) - {"LOWER", "OP"} or token.get("OP") not in (None, "?"):
        return None
    value = token.get("LOWER")
    if isinstance(value, str):
        words: list[str] = [value]
    elif isinstance(value, dict) and set(value) == {"IN"}:
        words = [str(word) for word in value["IN"]]
    else:
        return None
    # A value with whitespace can never equal one token's LOWER: it never matched.
    choices: list[str | None] = [word.lower() for word in words if word.split() == [word]]
    if token.get("OP") == "?":
        choices.append(None)
    return choices


def phrase_expansion(pattern: TokenPattern) -> list[tuple[str, ...]] | None:
    """Every token sequence ``pattern`` matches.

    None when it is not a plain ``LOWER`` pattern (then it must stay a token pattern).
    """
    per_token = []
    for token in pattern:
        choices = _choices(token)
        if choices is None:
            return None
        per_token.append(choices)
    phrases = {
        tuple(word for word in combination if word is not None)
        for combination in itertools.product(*per_token)
    }
    return sorted(phrase for phrase in phrases if phrase)


def as_phrase_rules(
    rules: Iterable[ConTextRule], tokenize: Callable[[str], Sequence[str]]
) -> list[ConTextRule]:
    """``rules`` with plain ``LOWER`` token patterns replaced by one phrase rule per expansion.

    ``tokenize`` gives the lower-case tokens the pipeline's tokenizer makes of a text; a
    phrase it would split differently keeps an exact token pattern, so what matches is
    unchanged. Every other attribute of a rule (category, direction, scope, types) is kept.
    """
    out: list[ConTextRule] = []
    for rule in rules:
        pattern = rule.pattern
        expansion = phrase_expansion(pattern) if isinstance(pattern, list) else None
        if expansion is None:
            out.append(rule)
            continue
        for words in expansion:
            variant = copy.copy(rule)
            phrase = " ".join(words)
            if tuple(tokenize(phrase)) == words:
                variant.literal, variant.pattern = phrase, None
            else:
                variant.pattern = [{"LOWER": word} for word in words]
            out.append(variant)
    return out


def reader_context_rules(
    defaults: Iterable[ConTextRule],
    ours: Iterable[ConTextRule],
    tokenize: Callable[[str], Sequence[str]],
) -> list[ConTextRule]:
    """The default medspaCy rules and ours as phrase rules; our phrases override defaults."""
    own = as_phrase_rules(ours, tokenize)
    own_phrases = {rule.literal.lower() for rule in own if rule.pattern is None}
    kept = [
        rule
        for rule in as_phrase_rules(defaults, tokenize)
        if rule.pattern is not None or rule.literal.lower() not in own_phrases
    ]
    return own + kept  # on equal spans medspaCy keeps the first rule: ours
