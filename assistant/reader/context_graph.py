"""medspaCy ConText with its all-pairs loops pruned: the same edges, far fewer calls.

medspaCy's ``ConTextGraph`` calls ``limit_scope`` for every pair of modifiers and
``modifies`` for every (target, modifier) pair; each call walks several properties, which
made ConText a tenth of the reader's time on typical notes and most of it on long ones.
Both methods return ``False`` without side effects when their first scope test fails, so
a call is skipped exactly when that same test fails (:func:`tuple_overlaps`, evaluated on
the same values). The calls that remain happen in the original order, so scopes, edges and
assertions are identical (checked on the corpus by the tests).

One deliberate difference, made before the scopes are compared: a modifier inside an
"if"/"unless" clause ends at the clause's comma (:func:`end_scopes_at_conditions`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from medspacy.context import ConText
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from spacy.language import Language
from spacy.tokens import Doc

from assistant.reader.doc_text import doc_text

Bounds = tuple[int, int]
# "If it has not settled, I plan a sympathetic block": what the condition negates stays in
# the condition. A modifier in an "if"/"unless" clause (other than the conditional itself)
# reaches no further than the clause's comma. The clause is open when an "if"/"unless" comes
# before the modifier with no clause or sentence break since.
_CONDITION_OPEN = re.compile(r"\b(?:if|unless)\b[^,;.!?\n]*\Z", re.IGNORECASE)
_CLAUSE_END = frozenset({",", ";"})
_SENTENCE_END = frozenset({".", "!", "?"})
_CONDITION_CATEGORIES = frozenset({"HYPOTHETICAL", "PLANNED"})
CLAUSE_REACH_CHARS = 160  # characters back to an "if"
CLAUSE_REACH = 20  # tokens on to the clause's comma


def tuple_overlaps(a: Bounds, b: Bounds) -> bool:
    """The overlap test of medspaCy, verbatim (asymmetric: ``a`` inside ``b`` does not count)."""
    return a[0] <= b[0] < a[1] or a[0] < b[1] <= a[1]


def overlapping_pairs(scopes: Sequence[Bounds], spans: Sequence[Bounds]) -> list[Bounds]:
    """Every ``(span index, scope index)`` with ``tuple_overlaps(scope, span)``, sorted.

    Spans are sorted by start and by end once; each scope then finds the spans whose
    start lies in ``[s0, s1)`` or whose end lies in ``(s0, s1]`` by bisection.
    """
    by_start = sorted(range(len(spans)), key=lambda i: spans[i][0])
    starts = [spans[i][0] for i in by_start]
    by_end = sorted(range(len(spans)), key=lambda i: spans[i][1])
    ends = [spans[i][1] for i in by_end]
    pairs: set[Bounds] = set()
    for m, (s0, s1) in enumerate(scopes):
        for k in range(bisect_left(starts, s0), bisect_left(starts, s1)):
            pairs.add((by_start[k], m))
        for k in range(bisect_right(ends, s0), bisect_right(ends, s1)):
            pairs.add((by_end[k], m))
    return sorted(pairs)


def _conditional_clause_end(doc: Doc, text: str, start: int, end: int) -> int | None:
    """The comma closing an "if" clause that holds tokens ``[start, end)``, if any."""
    begin = doc[start].idx
    if _CONDITION_OPEN.search(text, max(0, begin - CLAUSE_REACH_CHARS), begin) is None:
        return None
    for j in range(end, min(len(doc), end + CLAUSE_REACH)):
        token = doc[j]
        if token.text in _CLAUSE_END:
            return j
        if token.is_sent_start or token.text in _SENTENCE_END:
            return None
    return None


def end_scopes_at_conditions(modifiers: Sequence[ConTextModifier], doc: Doc) -> None:
    """Keep each forward modifier inside an "if" clause to that clause (see above)."""
    text = doc_text(doc)
    for modifier in modifiers:
        forward = modifier.direction.lower() in ("forward", "bidirectional")
        if not forward or modifier.category.upper() in _CONDITION_CATEGORIES:
            continue
        clause_end = _conditional_clause_end(doc, text, *modifier.modifier_span)
        scope_start, scope_end = modifier.scope_span
        if clause_end is not None and clause_end < scope_end:
            modifier.update_scope(doc[scope_start:clause_end])


class PrunedContextGraph(ConTextGraph):  # type: ignore[misc]
    """A ``ConTextGraph`` that skips the pairs whose first scope test would fail."""

    def update_scopes(self) -> None:
        """Same calls as medspaCy for every pair whose current scopes overlap.

        ``limit_scope`` only changes the scope of the modifier it is called on, so the
        current scopes are kept in two lists and refreshed after each call.
        """
        modifiers: list[ConTextModifier] = self.modifiers
        starts = [m.scope_span[0] for m in modifiers]
        ends = [m.scope_span[1] for m in modifiers]
        for i in range(len(modifiers) - 1):
            first = modifiers[i]
            for j in range(i + 1, len(modifiers)):
                a0, a1, b0, b1 = starts[i], ends[i], starts[j], ends[j]
                if a0 <= b0 < a1 or a0 < b1 <= a1:  # tuple_overlaps(first, second)
                    first.limit_scope(modifiers[j])
                    starts[i], ends[i] = a0, a1 = first.scope_span
                if b0 <= a0 < b1 or b0 < a1 <= b1:  # tuple_overlaps(second, first)
                    modifiers[j].limit_scope(first)
                    starts[j], ends[j] = modifiers[j].scope_span

    def apply_modifiers(self) -> None:
        """Same ``modifies``/``modify`` calls, in the same order, for overlapping pairs only."""
        if self.prune_on_modifier_overlap:
            for i in range(len(self.modifiers) - 1, -1, -1):
                modifier = self.modifiers[i]
                for target in self.targets:
                    if tuple_overlaps((target.start, target.end), modifier.modifier_span):
                        self.modifiers.pop(i)
                        break
        targets = list(self.targets)
        spans = [(target.start, target.end) for target in targets]
        scopes = [modifier.scope_span for modifier in self.modifiers]
        for t, m in overlapping_pairs(scopes, spans):
            modifier, target = self.modifiers[m], targets[t]
            if modifier.modifies(target):
                modifier.modify(target)
        edges = []
        for modifier in self.modifiers:
            modifier.reduce_targets()
            for target in modifier._targets:
                edges.append((target, modifier))
        self.edges = edges


@Language.factory("chartready_context")
class PrunedConText(ConText):  # type: ignore[misc]
    """medspaCy's ConText component, building a :class:`PrunedContextGraph`.

    ``conditional_scopes`` (on) ends scopes at an "if" clause's comma; off, the graph is
    medspaCy's exactly (the equivalence tests turn it off).
    """

    conditional_scopes = True

    def __call__(self, doc: Doc, targets: str | None = None) -> Doc:
        """ConText over ``doc`` (same inputs, outputs and extensions as medspaCy's)."""
        spans: Any
        if not targets and self.input_span_type == "ents":
            spans = doc.ents
        elif not targets and self.input_span_type == "group":
            spans = doc.spans[self.span_group_name]
        else:
            spans = getattr(doc._, str(targets))
        graph = PrunedContextGraph(prune_on_modifier_overlap=self.prune_on_target_overlap)
        graph.targets = spans
        matcher = self._ConText__matcher
        graph.modifiers = [
            ConTextModifier(
                matcher.rule_map[self.nlp.vocab[match_id].text],
                start,
                end,
                doc,
                max_scope=self.max_scope,
            )
            for match_id, start, end in matcher(doc)
        ]
        if self.conditional_scopes:
            end_scopes_at_conditions(graph.modifiers, doc)
        graph.update_scopes()
        graph.apply_modifiers()
        for target, modifier in graph.edges:
            target._.modifiers += (modifier,)
        if self.context_attributes_mapping:
            self.set_context_attributes(graph.edges)
        doc._.context_graph = graph
        return doc
