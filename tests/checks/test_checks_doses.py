"""Reading drug doses from note text (issue 16: drug lines and units per dose).

``find_doses`` is pure: it finds each amount written next to a drug's names and converts it
to the measure of the drug's billing unit; the drug table (``drugs`` in the coding file)
says what one unit of each code is and the words a note uses for the drug.
"""

from __future__ import annotations

import math
import time

import pytest
from pydantic import ValidationError

from assistant.checks import load_registry
from assistant.checks.claims import CodingTable, DrugInfo
from assistant.checks.doses import Measure, find_doses, name_pattern, units_for

METHYLPRED = [
    "methylprednisolone acetate",
    "methylprednisolone",
    "methyl prednisolone",
    "depo-medrol",
]
TRIAMCINOLONE = ["triamcinolone acetonide", "triamcinolone", "kenalog"]
LIDOCAINE = ["lidocaine", "xylocaine"]
BOTOX = ["onabotulinumtoxina", "botox"]
DEXAMETHASONE = ["dexamethasone sodium phosphate", "dexamethasone", "decadron"]
FENTANYL = ["fentanyl citrate", "fentanyl"]
KETOROLAC = ["ketorolac", "toradol"]
SYNVISC = ["synvisc-one", "synvisc"]
OTHERS = ["bupivacaine", "saline", "midazolam", "sarapin"]
STOP = [*OTHERS, *METHYLPRED, *TRIAMCINOLONE, *LIDOCAINE, *DEXAMETHASONE, *KETOROLAC]


@pytest.mark.parametrize(
    ("names", "measure", "text", "amounts"),
    [
        (METHYLPRED, "mg", "After negative aspiration, 80 mg of Depo-Medrol was injected.", [80]),
        (METHYLPRED, "mg", "Depo-Medrol 80 mg was injected.", [80]),
        (METHYLPRED, "mg", "Injected 160 mg preservative free Depo-Medrol.", [160]),
        (TRIAMCINOLONE, "mg", "Injectate: 2 mL of Kenalog 40 mg/mL and 3 mL of saline.", [80]),
        (TRIAMCINOLONE, "mg", "Kenalog 40 mg/mL, 1.5 mL, was injected.", [60]),
        (TRIAMCINOLONE, "mg", "1 mL of Kenalog-40 was injected.", [40]),
        (TRIAMCINOLONE, "mg", "Triamcinolone acetonide 40mg/1mL was injected.", [40]),
        (LIDOCAINE, "mg", "The skin was anesthetized with 5 mL of 1% lidocaine.", [50]),
        (LIDOCAINE, "mg", "Lidocaine 2% 3 cc was given.", [60]),
        (FENTANYL, "mg", "Moderate sedation with midazolam 2 mg and fentanyl 50 mcg IV.", [0.05]),
        (
            BOTOX,
            "units",
            "OnabotulinumtoxinA for chronic migraine: 155 units injected at 31 sites; "
            "45 units of the 200-unit vial discarded.",
            [155],
        ),
        (
            KETOROLAC,
            "mg",
            "INJECTATE:\nMethyl Prednisolone (DepoMedrol): 20 mg\nKetorolac (Toradol): 6 mg",
            [6],
        ),
        (METHYLPRED, "mg", "Depo-Medrol 80 mg and 2 mL of 1% lidocaine were injected.", [80]),
        # the words of a pump's residual volume set aside a volume only
        (METHYLPRED, "mg", "After the stylet was removed 80 mg of Depo-Medrol was injected.", [80]),
    ],
)
def test_find_doses_reads_the_amount_next_to_the_name(
    names: list[str], measure: Measure, text: str, amounts: list[float]
) -> None:
    found = find_doses(text, names, measure, STOP)
    assert [m.amount for m in found.mentions] == pytest.approx(amounts)
    for mention in found.mentions:
        assert text[mention.span.start : mention.span.end] == mention.span.text


@pytest.mark.parametrize(
    ("names", "text"),
    [
        (TRIAMCINOLONE, "Kenalog with 3 mL of 0.25% bupivacaine was injected."),
        (TRIAMCINOLONE, "Kenalog 40 mg/mL was used."),  # a strength, not a dose
        (BOTOX, "A 200 unit vial of Botox was reconstituted with 4 mL of saline."),
        (BOTOX, "Wasted: 45 units of Botox."),
    ],
)
def test_find_doses_names_the_drug_without_a_dose(names: list[str], text: str) -> None:
    found = find_doses(text, names, "units" if names is BOTOX else "mg", STOP)
    assert found.mentions == ()
    assert found.named
    assert found.bounds() is None


@pytest.mark.parametrize(
    ("names", "text", "bounds"),
    [
        # a dose restated in parentheses may be one dose or two: at least 80, at most 160
        (
            METHYLPRED,
            "80 mg of Depo-Medrol (methylprednisolone acetate 40 mg/mL, 2 mL) was injected.",
            (80, 160),
        ),
        (DEXAMETHASONE, "Dexamethasone 5 mg at L4-L5 and 5 mg at L5-S1.", (5, math.inf)),
        (TRIAMCINOLONE, "Kenalog 20 mg was injected at each level.", (20, math.inf)),
        (TRIAMCINOLONE, "A total of 80 mg triamcinolone, 40 mg at each level.", (80, 80)),
        (TRIAMCINOLONE, "Kenalog 40 mg. Then 1 mL of triamcinolone was added.", (40, math.inf)),
    ],
)
def test_documented_dose_bounds(names: list[str], text: str, bounds: tuple[float, float]) -> None:
    assert find_doses(text, names, "mg", STOP).bounds() == pytest.approx(bounds)


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        (
            "PROCEDURE: Botox injections for chronic migraine.\n"
            "A total of 155 units was injected at 31 sites of the head and neck.",
            (155, 155),  # a stated total is the dose, however far from the product's name
        ),
        (
            "Botox 200 units reconstituted with 4 mL of preservative-free saline. 155 units "
            "were injected; 45 units were wasted.",
            (155, math.inf),
        ),
    ],
)
def test_toxin_units_stated_apart_from_the_name_are_its_dose(
    text: str, bounds: tuple[float, float]
) -> None:
    found = find_doses(text, BOTOX, "units", STOP)
    assert found.bounds() == pytest.approx(bounds)


MORPHINE = ["morphine sulfate", "morphine", "infumorph", "duramorph"]
BACLOFEN = ["baclofen", "lioresal", "gablofen"]
ZICONOTIDE = ["ziconotide", "prialt"]
PUMP_STOP = [*STOP, *MORPHINE, *BACLOFEN, *ZICONOTIDE, "clonidine"]


@pytest.mark.parametrize(
    ("names", "text", "dose"),
    [
        # concentration times volume, mg, volume first or concentration first
        (MORPHINE, "The pump was refilled with 20 mL of preservative-free morphine 20 mg/mL.", 400),
        (MORPHINE, "Refilled with morphine 25 mg/mL, 18 mL.", 450),
        # mcg per mL, in both word orders
        (BACLOFEN, "Reservoir refilled with baclofen 2000 mcg/mL x 20 mL.", 40),
        (BACLOFEN, "Pump refill: 18 mL of Lioresal 2000 mcg/mL.", 36),
        (ZICONOTIDE, "Refilled with 20 mL of Prialt 25 mcg/mL.", 0.5),
        # the residual volume withdrawn is not a dose given, before or after the refill
        (
            MORPHINE,
            "The residual volume of 2.8 mL was withdrawn (expected 3.0 mL) and returned 2.8 mL; "
            "the reservoir was refilled with 20 mL of morphine 20 mg/mL.",
            400,
        ),
        (MORPHINE, "20 mL of morphine 20 mg/mL was instilled after 2.8 mL was aspirated.", 400),
        # nor is the programmed daily dose or rate
        (
            MORPHINE,
            "The pump was refilled with 20 mL of morphine 20 mg/mL at a daily rate of 2.2 mg.",
            400,
        ),
    ],
)
def test_find_doses_reads_a_pump_refill(names: list[str], text: str, dose: float) -> None:
    found = find_doses(text, names, "mg", PUMP_STOP)
    assert found.bounds() == pytest.approx((dose, dose))


@pytest.mark.parametrize(
    ("names", "text", "dose"),
    [
        # the concentration on the drug's line, the volume on a later line or sentence
        (MORPHINE, "Refill drug: morphine 20 mg/mL. The reservoir was refilled with 20 mL.", 400),
        (BACLOFEN, "Drug: Gablofen 2000 mcg/mL\nVolume instilled: 18 mL", 36),
        # a residual withdrawn on the way is passed over
        (
            BACLOFEN,
            "Drug: baclofen 2000 mcg/mL\nResidual: 2.1 mL withdrawn\nRefill volume: 18 mL",
            36,
        ),
    ],
)
def test_a_refill_volume_on_a_later_line_takes_the_named_concentration(
    names: list[str], text: str, dose: float
) -> None:
    found = find_doses(text, names, "mg", PUMP_STOP)
    assert found.bounds() == pytest.approx((dose, dose))
    assert found.mentions[0].span.text.endswith(" mL")


@pytest.mark.parametrize(
    "text",
    [
        # the volume is another drug's, or a residual, or no refill is told
        "Morphine 25 mg/mL. 20 mL of 1% lidocaine was injected into the reservoir.",
        "Morphine 20 mg/mL. Residual volume 2.8 mL was withdrawn.",
        "Morphine 20 mg/mL. She drank 500 mL of water.",
        # too far after the drug's sentence
        "Morphine 20 mg/mL." + " The pump site was clean and dry." * 8 + " Refilled with 20 mL.",
    ],
)
def test_a_later_volume_that_is_no_refill_of_the_drug_is_no_dose(text: str) -> None:
    assert find_doses(text, MORPHINE, "mg", PUMP_STOP).bounds() is None


def test_a_refill_volume_in_a_sentence_the_caller_rules_out_is_no_dose() -> None:
    text = "Pump: morphine 20 mg/mL. Next visit: a refill of 20 mL."
    plan = text.index("Next")
    found = find_doses(text, MORPHINE, "mg", PUMP_STOP, skip=lambda start, _end: start >= plan)
    assert found.bounds() is None


@pytest.mark.parametrize(
    "text",
    [
        "The pump was refilled with 20 mL of morphine.",  # no concentration: amount unknown
        "The reservoir was filled with morphine 25 mg/mL.",  # a concentration alone
        "Morphine 20 mg/mL: 2.8 mL residual withdrawn, reservoir refilled.",
        "The daily dose was increased from 2.0 mg to 2.2 mg of morphine.",
        "Morphine infuses at 2.2 mg per day.",
    ],
)
def test_pump_volumes_and_rates_without_a_refill_dose_are_no_dose(text: str) -> None:
    assert find_doses(text, MORPHINE, "mg", PUMP_STOP).bounds() is None


def test_a_volume_without_a_strength_is_an_amount_that_does_not_convert() -> None:
    found = find_doses("Synvisc-One 6 mL was injected into the right knee.", SYNVISC, "mg")
    assert [m.amount for m in found.mentions] == [None]
    assert found.bounds() is None


def test_find_doses_skips_names_the_caller_rules_out() -> None:
    text = "Home medications: dexamethasone 4 mg PO daily. Dexamethasone 10 mg was injected."
    home = text.index("Home")
    found = find_doses(text, DEXAMETHASONE, "mg", skip=lambda start, end: start < home + 40)
    assert [m.amount for m in found.mentions] == [10]


def test_name_pattern_takes_spelling_variants() -> None:
    pattern = name_pattern(["depo-medrol"])
    assert [m.group(0) for m in pattern.finditer("Depo-Medrol, DepoMedrol, depo medrol")] == [
        "Depo-Medrol",
        "DepoMedrol",
        "depo medrol",
    ]
    assert pattern.search("Solu-Medrol") is None


@pytest.mark.parametrize(
    ("amount", "unit", "units"),
    [(80, 40, 2), (50, 40, 2), (40, 10, 4), (0.3, 0.1, 3), (0.05, 0.1, 1), (155, 1, 155)],
)
def test_units_for_rounds_up_to_a_whole_unit(amount: float, unit: float, units: int) -> None:
    assert units_for(amount, unit) == units


def test_drug_table_units_are_amounts_in_mg_or_units() -> None:
    drugs = load_registry().coding.drugs
    assert drugs["J3010"].billing_unit == (0.1, "mg")
    assert drugs["J1030"].billing_unit == (40, "mg")
    assert drugs["J0585"].billing_unit == (1, "units")
    assert drugs["J7321"].billing_unit is None
    compared = {code for code, drug in drugs.items() if drug.names}
    assert {"J1030", "J1040", "J3301", "J1100", "J0702", "J2001", "J0585"} <= compared
    assert {"J2250", "J3010", "J1885"} <= compared
    assert drugs["J1030"].names == drugs["J1040"].names


def test_drug_table_has_the_intrathecal_pump_drugs() -> None:
    drugs = load_registry().coding.drugs
    units = {
        code: drugs[code].billing_unit for code in ("J2274", "J0475", "J0476", "J2278", "J1170")
    }
    assert units == {
        "J2274": (10, "mg"),
        "J0475": (10, "mg"),
        "J0476": pytest.approx((0.05, "mg")),
        "J2278": pytest.approx((0.001, "mg")),
        "J1170": (4, "mg"),
    }
    assert drugs["J0475"].names == drugs["J0476"].names  # one drug, trial and refill sizes
    assert all(drugs[code].single_dose for code in ("J2274", "J0475", "J0476", "J2278"))
    assert not drugs["J1170"].single_dose  # not established: not judged
    assert all(drugs[code].source for code in units)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"unit": "40mg"}, "unit"),
        ({"names": ["Kenalog"]}, "lower case"),
        ({"unit": "one dose", "names": ["synvisc"]}, "must be an amount"),
    ],
)
def test_drug_info_refuses_what_cannot_be_compared(data: dict[str, object], problem: str) -> None:
    base = {"description": "x", "unit": "10 mg", "single_dose": False, "basis": "secondary"}
    with pytest.raises(ValidationError, match=problem):
        DrugInfo.model_validate({**base, **data})


def test_coding_table_refuses_codes_sharing_only_some_names() -> None:
    drug = {"description": "x", "unit": "10 mg", "single_dose": False, "basis": "secondary"}
    data = {
        "version": 1,
        "codes": {},
        "rules": [],
        "drugs": {
            "J3301": {**drug, "names": ["triamcinolone", "kenalog"]},
            "J3304": {**drug, "names": ["triamcinolone", "zilretta"]},
        },
    }
    with pytest.raises(ValidationError, match="share some names"):
        CodingTable.model_validate(data)


@pytest.mark.parametrize(
    "unit", ["Kenalog 40 mg and ", "1 mL of Kenalog-40 ", "kenalog ", "5 mg each level "]
)
def test_find_doses_runs_in_linear_time_on_one_long_sentence(unit: str) -> None:
    """A note that is one sentence full of drug names (timed on n and 2n characters)."""

    def best(size: int) -> float:
        text = (unit * (size // len(unit) + 1))[:size]
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            find_doses(text, TRIAMCINOLONE, "mg", STOP)
            timings.append(time.perf_counter() - start)
        return min(timings)

    small, large = best(16_000), best(32_000)
    assert large < 0.05 or large / max(small, 1e-6) < 3.5
