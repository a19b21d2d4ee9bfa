"""A flagged pair is compared once and stored both ways, as two separate comparisons would.

``describe_both`` derives the second direction from the first (similarities and sections
are symmetric; the match's id, which note is earlier and whose evidence is whose swap), and
``links_for`` stores both directions of each pair from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pytest

from assistant.batch.clones.report import CloneNote, Pair, describe_both, describe_pair
from assistant.batch.clones.text import CloneReading, default_settings, read_for_clones
from assistant.batch.clones.worklist import links_for
from assistant.store.clone_repository import StoredNote

SETTINGS = default_settings()
EXAM = (
    "PHYSICAL EXAMINATION: Alert and oriented, in no acute distress. Gait is antalgic and "
    "slow. Tenderness over the lower lumbar facets, worse with extension and rotation. "
    "Straight leg raise is negative. Strength is five of five in both legs and sensation "
    "is intact to light touch. Reflexes are symmetric at the knees and ankles.\n"
)
PLAN = (
    "ASSESSMENT AND PLAN: Lumbar facet arthropathy. Continue home exercise and meloxicam; "
    "return in four weeks or sooner if worse.\n"
)


def _visit(history: str) -> str:
    return f"HISTORY OF PRESENT ILLNESS: {history}\n{EXAM}{PLAN}"


TEXTS = (
    _visit("She returns with left low back pain rated 7/10 after six weeks of therapy."),
    _visit("She returns with left low back pain rated 7/10 after six weeks of therapy."),
    _visit("New numbness in the right foot since a fall on the ice last Tuesday evening."),
)
DAYS = (dt.date(2026, 3, 2), dt.date(2026, 3, 2), dt.date(2026, 4, 20))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((0, DAYS[0]), (2, DAYS[2])),  # the second note is later
        ((2, DAYS[2]), (0, DAYS[0])),  # earlier
        ((0, DAYS[0]), (1, DAYS[1])),  # same day: neither is earlier
        ((0, None), (2, DAYS[2])),  # a date unknown
    ],
)
def test_describe_both_is_describe_pair_each_way(
    first: tuple[int, dt.date | None], second: tuple[int, dt.date | None]
) -> None:
    note = CloneNote("a", TEXTS[first[0]], "Dr A", "p1", first[1])
    other = CloneNote("b", TEXTS[second[0]], "Dr B", "p1", second[1])
    mine, theirs = read_for_clones(note.text, SETTINGS), read_for_clones(other.text, SETTINGS)
    forward, backward = describe_both(note, other, mine, theirs, SETTINGS)
    assert forward == describe_pair(note, other, mine, theirs, SETTINGS)
    assert backward == describe_pair(other, note, theirs, mine, SETTINGS)
    assert forward.identical_sections  # the exam and plan are copied: something to swap


def _one_way(
    pairs: list[Pair], notes: dict[int, StoredNote], readings: dict[int, CloneReading]
) -> list[dict[str, object]]:
    """Both directions of every pair, each compared on its own (``links_for`` before)."""
    out = []
    for pair in sorted(pairs, key=lambda p: (p.a, p.b)):
        for mine, theirs in ((pair.a, pair.b), (pair.b, pair.a)):
            one, two = notes[mine], notes[theirs]
            match = describe_pair(
                CloneNote(one.note_id, one.text, one.provider, None, one.date_of_service),
                CloneNote(two.note_id, two.text, two.provider, None, two.date_of_service),
                readings[mine],
                readings[theirs],
                SETTINGS,
            )
            out.append(
                {
                    "item_id": mine,
                    "match_item_id": theirs,
                    "similarity": match.similarity,
                    "whole_note": match.similarity >= SETTINGS.note.threshold,
                    "earlier": match.earlier,
                    "same_provider": match.same_provider,
                    "sections": [s.model_dump() for s in match.sections],
                    "identical_sections": match.identical_sections,
                    "evidence": [span.model_dump() for span in match.evidence],
                }
            )
    return out


def test_links_for_stores_each_pair_both_ways_as_before() -> None:
    providers = ("Dr A", "Dr A", "Dr B")
    notes = {
        i + 10: StoredNote(i + 10, f"n-{i}", providers[i], DAYS[i], text)
        for i, text in enumerate(TEXTS)
    }
    readings = {item: read_for_clones(note.text, SETTINGS) for item, note in notes.items()}
    pairs = [Pair(10, 12), Pair(10, 11), Pair(11, 12)]
    links = links_for(pairs, notes, readings.__getitem__, SETTINGS)
    assert [asdict(link) for link in links] == _one_way(pairs, notes, readings)
    assert [(link.item_id, link.match_item_id) for link in links] == [
        (10, 11),
        (11, 10),
        (10, 12),
        (12, 10),
        (11, 12),
        (12, 11),
    ]
