"""Parsing 835 files with pyx12: synthetic files validate, bad ones name segment and loop."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import RemittanceFormatError
from assistant.remittances.importer import decode, parse_835
from assistant.remittances.synthetic import SynthClaim, SynthLine, render_835, standard_claims

DOS = date(2024, 1, 10)


@pytest.fixture(scope="module")
def text() -> str:
    return render_835(standard_claims(DOS))


def _break(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_the_synthetic_file_validates_and_extracts(text: str) -> None:
    [remittance] = parse_835(text, "syn.835")
    assert remittance.payer_name == "SYNTHETIC HEALTH PLAN"
    assert remittance.payer_id == "SYN01"
    assert remittance.payment_date == date(2024, 2, 15)
    claims = {(c.patient_control_number, c.kind): c for c in remittance.claims}
    assert len(remittance.claims) == 12
    partial = claims[("SYN-0002", "original")]
    assert (partial.billed_cents, partial.paid_cents) == (120000, 52000)
    bundled = partial.lines[1]
    assert (bundled.procedure, bundled.date_of_service) == ("64484", DOS)
    assert [a.code for a in bundled.adjustments] == ["CO-97"]
    assert bundled.remarks == ("M80",)
    first = claims[("SYN-0001", "original")].lines[0]
    assert (first.qualifier, first.modifiers, first.units) == ("HC", ("LT",), 1.0)
    assert first.control_number == "SYN-0001-1"
    assert claims[("SYN-0005", "original")].lines[0].remarks == ("M127", "N706")
    assert [a.code for a in claims[("SYN-0008", "original")].adjustments] == ["CO-29"]
    reversal = claims[("SYN-0011", "reversal")]
    assert reversal.status == "22" and reversal.paid_cents == -52000
    correction = claims[("SYN-0011", "correction")]
    assert correction.original_reference == "SYNPCN0011"
    assert total_paid(remittance.claims) == remittance.payment_cents


def total_paid(claims: object) -> int:
    return sum(c.paid_cents for c in claims)  # type: ignore[attr-defined]


def test_claim_remarks_come_from_moa() -> None:
    claim = SynthClaim(
        "SYN-0100",
        DOS,
        (SynthLine("64483", 10000, 0, (("CO", "16", 10000),)),),
        claim_remarks=("MA130", "N706"),
    )
    [remittance] = parse_835(render_835([claim]), "moa.835")
    assert remittance.claims[0].remarks == ("MA130", "N706")


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("CLP*SYN-0001*1*800", "CLP*SYN-0001*1*8X0", "CLP segment in loop 2100 (line 17): CLP03"),
        ("CAS*CO*45*280~", "CAS*ZZ*45*280~", "CAS segment in loop 2110 (line 23)"),
        (
            "NM1*QC*1*SYNTHETIC*PATIENT001****MI*S000001~\n",
            "",
            "NM1 segment in loop 2100 (line 19): required segment or loop missing (Patient Name)",
        ),
        ("SE*", "SE*9", "SE segment in loop ST_LOOP"),
        ("DTM*472*20240110", "DTM*472*20241310", "DTM segment in loop 2110 (line 22): DTM02"),
    ],
)
def test_a_malformed_file_names_segment_loop_and_line(
    text: str, old: str, new: str, where: str
) -> None:
    with pytest.raises(RemittanceFormatError) as caught:
        parse_835(_break(text, old, new), "bad.835")
    assert caught.value.code == "E901"
    assert str(caught.value).startswith("bad.835: ")
    assert where in str(caught.value)


def test_error_messages_never_quote_data_values(
    text: str, caplog: pytest.LogCaptureFixture
) -> None:
    broken = _break(text, "CLP*SYN-0001*1*800", "CLP*SYN-0001*1*8X0")
    broken = _break(broken, "SVC*HC:64483:LT", "SVC*HC:64483:LT:ZZZZZ")
    with pytest.raises(RemittanceFormatError) as caught:
        parse_835(broken, "bad.835")
    message = str(caught.value)
    logged = caplog.text
    for value in ("SYN-0001", "8X0", "PATIENT", "ZZZZZ"):
        assert value not in message
        assert value not in logged


def test_a_truncated_file_is_refused(text: str) -> None:
    cut = "\n".join(text.splitlines()[:30]) + "\n"
    with pytest.raises(RemittanceFormatError, match="trailer missing: the file is truncated"):
        parse_835(cut, "cut.835")


@pytest.mark.parametrize(
    ("old", "new", "segment"),
    [
        ("*00501*", "*00401*", "ISA (ISA12)"),
        ("GS*HP*", "GS*HC*", "GS (GS01)"),
        ("005010X221A1", "005010X222A1", "GS (GS08)"),
        ("ST*835*", "ST*837*", "ST (ST01)"),
    ],
)
def test_a_wrong_version_or_transaction_is_refused(
    text: str, old: str, new: str, segment: str
) -> None:
    with pytest.raises(RemittanceFormatError) as caught:
        parse_835(_break(text, old, new), "other.835")
    assert caught.value.code == "E902"
    assert f"other.835: {segment} says" in str(caught.value)
    assert "005010X221A1" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"hello, not x12", "does not begin with an ISA interchange header"),
        (b"\x89PNG\r\n\x1a\n\x00\xff", "not text"),
    ],
)
def test_not_an_x12_file(data: bytes, problem: str) -> None:
    with pytest.raises(RemittanceFormatError, match=problem) as caught:
        parse_835(decode(data, "x.835"), "x.835")
    assert "ISA segment in loop ISA_LOOP (line 1)" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new"),
    [("DTM*472*", "xTM*472*"), ("\nGE*1*", "\nGE*X*")],
    ids=["lower-case-segment-id", "non-numeric-control-number"],
)
def test_input_that_trips_the_x12_reader_is_a_format_error(old: str, new: str) -> None:
    text = render_835([SynthClaim("SYN-0200", DOS, (SynthLine("64483", 10000, 10000, ()),))])
    assert old in text
    with pytest.raises(RemittanceFormatError) as caught:
        parse_835(text.replace(old, new, 1), "tripped.835")
    assert caught.value.code == "E901"
