import datetime as dt

import pytest

from assistant.checks.measures import relief_percents
from assistant.errors import PreauthInputError
from assistant.preauth.planned import parse_levels
from assistant.preauth.values import (
    dates_in,
    function_score,
    labelled_date,
    levels_in,
    modality,
    quote_bounds,
    relief_duration_days,
    therapy_outcome,
)


def test_dates_and_the_labelled_date_of_service() -> None:
    assert dates_in("seen 1/5/24 and 2024-02-30 and 2024-03-01") == [
        dt.date(2024, 1, 5),
        dt.date(2024, 3, 1),
    ]
    text = "MRI 12/10/2023 showed a bulge.\nDate of service: 01/05/2024\n"
    assert labelled_date(text) == dt.date(2024, 1, 5)
    assert labelled_date("MRI 12/10/2023 showed a bulge.") is None


def test_levels_are_normalised() -> None:
    assert levels_in("left L5-S1 and l4/5 disc, T12 fracture, L4-L5 again") == [
        "L5-S1",
        "L4-L5",
        "T12",
    ]
    assert parse_levels("L4-L5, l5-s1") == ["L4-L5", "L5-S1"]
    with pytest.raises(PreauthInputError) as caught:
        parse_levels("lower back")
    assert caught.value.code == "E106"


def test_relief_figures_and_how_long_they_lasted() -> None:
    text = "Bupivacaine 0.5% was used. She had 85% relief lasting 6 hours. ODI 40%."
    assert [figure.percent for figure in relief_percents(text)] == [85]
    assert relief_duration_days("85% relief lasting 6 hours") == 0.25
    assert relief_duration_days("relief for 4 months") == 120
    assert relief_duration_days("good relief") is None


def test_therapy_words() -> None:
    assert modality("el.ct.pt-abbrev", "PT") == "physical_therapy"
    assert modality(None, "Acupuncture") == "acupuncture"
    assert therapy_outcome("Physical therapy did not help.") == "failed"
    assert therapy_outcome("Ibuprofen helped a little.") == "helped"
    assert function_score("Oswestry Disability Index 42%") == ("ODI", 42.0)


def test_a_quote_is_the_sentence_around_the_span() -> None:
    text = "First line.  She did 6 weeks of physical therapy.  Next."
    start = text.index("physical")
    left, right = quote_bounds(text, start, start + 8)
    assert text[left:right] == "She did 6 weeks of physical therapy."
