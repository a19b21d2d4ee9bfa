"""Numbers read from detector hits: durations, percents, pain scores and sides."""

from __future__ import annotations

import pytest

from assistant.checks.measures import (
    duration_days,
    first_percent,
    pain_score,
    positive_si_tests,
    sides,
)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("pain for 6 months", 180),
        ("for the past 3-4 months", 90),
        ("8 weeks of physical therapy", 56),
        ("eight weeks of physical therapy", 56),
        ("x 6 wks", 42),
        ("for 1.5 years", 547),
        ("a 2-year history", 730),
        ("for over a year", 365),
        ("for several years", 1095),
        ("since 2019", 365),
        ("injury that occurred on 06/29/1994", 365),
        ("onset in 03/2021", 365),
        ("for 10 days", 10),
        ("6+ months of PT", 180),
        ("pain for years", 730),
        ("for about fourteen months", 420),
        ("no number here", None),
    ],
)
def test_duration_days(text: str, days: int | None) -> None:
    assert duration_days(text) == days


@pytest.mark.parametrize(
    ("text", "value"),
    [("70% relief", 70), ("the trial gave 30 percent", 30), ("no figure", None), ("120%", None)],
)
def test_first_percent(text: str, value: int | None) -> None:
    assert first_percent(text) == value


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("pre-procedure pain 7/10", ("10", 7)),
        ("VAS 70/100 before", ("100", 70)),
        ("8 out of 10", ("10", 8)),
        ("NRS 6 after the block", ("10", 6)),
        ("VAS 65 mm", ("100", 65)),
        ("pain was bad", None),
    ],
)
def test_pain_score(text: str, score: tuple[str, int] | None) -> None:
    assert pain_score(text) == score


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("DIAGNOSIS: Left L5 radiculopathy.", {"left"}),
        ("Right greater than left knee pain", {"right", "left"}),
        ("Bilateral facet arthropathy", {"left", "right"}),
        ("Lumbar spondylosis", set()),
    ],
)
def test_sides(text: str, found: set[str]) -> None:
    assert sides(text) == found


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Gaenslen positive on the right, FABER positive, thigh thrust positive.", 3),
        ("Patrick's test reproduces the pain, and so does thigh thrust; compression is +.", 3),
        ("FABER and Gaenslen reproduce her pain. Compression, distraction: negative.", 2),
        ("Thigh thrust, Gaenslen and Yeoman were all negative on the left.", 0),
        ("Four of six provocative tests positive.", 4),
        ("The compression fracture at L1 is old.", 0),
    ],
)
def test_positive_si_tests_counts_tests_called_positive(text: str, count: int) -> None:
    assert positive_si_tests(text)[0] == count
