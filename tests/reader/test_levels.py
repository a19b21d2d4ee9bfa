import pytest

from assistant.reader.levels import (
    canonical_levels,
    count_levels,
    levels_in,
    region_of,
    sort_levels,
    written_levels,
)


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("L4-5", ["L4-L5"]),
        ("L4/5", ["L4-L5"]),
        ("L4-L5", ["L4-L5"]),
        ("L4 - L5", ["L4-L5"]),
        ("l4-5", ["L4-L5"]),
        ("L5/S1", ["L5-S1"]),
        ("L5-S1", ["L5-S1"]),
        ("C7-T1", ["C7-T1"]),
        ("T12-L1", ["T12-L1"]),
        ("C5-7", ["C5-C6", "C6-C7"]),
        ("L3 through L5", ["L3-L4", "L4-L5"]),
        ("L3-L5", ["L3-L4", "L4-L5"]),
        ("L4", ["L4"]),
        ("S1", ["S1"]),
        ("Cervical #7", ["C7"]),
        ("L-4/L-5", ["L4-L5"]),
        ("lumbar 4-5", ["L4-L5"]),
        ("Cervical 5/6", ["C5-C6"]),
        # as speech recognition writes them
        ("L four five", ["L4-L5"]),
        ("el five S one", ["L5-S1"]),
        ("C six to seven", ["C6-C7"]),
        ("el five", ["L5"]),
        ("T twelve L one", ["T12-L1"]),
        ("L9", []),
        ("L5-L4", []),
        ("T13", []),
        ("hello", []),
    ],
)
def test_canonical_levels_normalises_mentions(mention: str, expected: list[str]) -> None:
    assert canonical_levels(mention) == expected


@pytest.mark.parametrize(
    ("mention", "expected"),
    [
        ("L3 to L5", ["L3", "L4", "L5"]),
        ("C5-7", ["C5", "C6", "C7"]),
        ("L4-5", ["L4-L5"]),
        ("C four through C six", ["C4", "C5", "C6"]),
    ],
)
def test_canonical_levels_range_as_segments(mention: str, expected: list[str]) -> None:
    assert canonical_levels(mention, range_as_segments=True) == expected


def test_sort_levels_orders_head_to_tail_and_dedupes() -> None:
    assert sort_levels(["L5-S1", "L4", "C5-C6", "L4-L5", "T12", "L4-L5"]) == [
        "C5-C6",
        "T12",
        "L4",
        "L4-L5",
        "L5-S1",
    ]


@pytest.mark.parametrize(
    ("level", "region"),
    [("C5-C6", "cervical"), ("T12-L1", "thoracic"), ("L5-S1", "lumbar"), ("S1", "sacral")],
)
def test_region_of_uses_upper_segment(level: str, region: str) -> None:
    assert region_of(level) == region


def test_count_levels_counts_distinct() -> None:
    assert count_levels(["L4-L5", "L5-S1", "L4-L5"]) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L4 and 5", ["L4", "L5"]),
        ("L3, 4 and 5", ["L3", "L4", "L5"]),
        ("C5/6 and 6/7", ["C5-C6", "C6-C7"]),
        ("T9 & 10", ["T9", "T10"]),
        ("L5, 1", ["L5"]),  # an item above the one before it is no level
        ("L4-5, L5-S1", ["L4-L5", "L5-S1"]),
        ("L3/L4/L5", ["L3", "L4", "L5"]),  # a slash chain is a list; a pair is a joint
        ("S1/S2/S3", ["S1", "S2", "S3"]),
        ("L4/L5", ["L4-L5"]),
    ],
)
def test_levels_in_reads_a_list_that_names_its_region_once(text: str, expected: list[str]) -> None:
    assert levels_in(text) == expected


@pytest.mark.parametrize(
    ("spoken", "levels"),
    [
        ("T EIGHT, NINE AND TEN", ["T8", "T9", "T10"]),
        ("C five, six, and seven", ["C5", "C6", "C7"]),
        ("T eight and nine", ["T8", "T9"]),
    ],
)
def test_a_spoken_list_names_its_region_once(spoken: str, levels: list[str]) -> None:
    assert levels_in(written_levels(spoken)) == levels


@pytest.mark.parametrize(
    ("mention", "expected", "segments"),
    [
        ("L4 5", ["L4-L5"], ["L4", "L5"]),
        ("c6 7", ["C6-C7"], ["C6", "C7"]),
        ("T11 12", ["T11-T12"], ["T11", "T12"]),
        # a number that is not the next segment is something else
        ("L4 7", ["L4"], ["L4"]),
        ("L4 12", ["L4"], ["L4"]),
    ],
)
def test_a_joint_typed_with_a_space(mention: str, expected: list[str], segments: list[str]) -> None:
    assert canonical_levels(mention) == expected
    assert canonical_levels(mention, range_as_segments=True) == segments
