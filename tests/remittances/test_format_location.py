"""A refused 835 carries where it breaks (segment, loop, line or element) on the exception.

The API's problem body and the upload page read the place from ``exc.location``, set
where the importer raises, never back out of the message text.
"""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from api.remittances import locate
from assistant.errors import Errors, RemittanceFormatError
from assistant.remittances.importer import decode, parse_835
from assistant.remittances.synthetic import render_835, standard_claims
from assistant.remittances.x12 import FormatLocation, X12FormatError


def _text() -> str:
    return render_835(standard_claims(date(2024, 1, 10)))


def _refused(data: bytes, max_bytes: int = 50_000_000) -> X12FormatError:
    with pytest.raises(X12FormatError) as caught:
        parse_835(decode(data, "bad.835", max_bytes), "bad.835")
    return caught.value


def _broken(old: str, new: str) -> bytes:
    text = _text()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (
            _broken("CLP*SYN-0001*1*800", "CLP*SYN-0001*1*8X0"),
            FormatLocation("malformed", "CLP", "2100", "CLP03: invalid character in element", 17),
        ),
        (
            _broken("CAS*CO*45*280~", "CAS*ZZ*45*280~"),
            FormatLocation(
                "malformed", "CAS", "2110", "segment not recognised here by the 5010 guide", 23
            ),
        ),
        (
            _broken("005010X221A1", "004010X091A1"),
            FormatLocation(
                "wrong_version", "GS", "GS_LOOP", "version '004010X091A1'", element="GS08"
            ),
        ),
        (
            _broken("ST*835*", "ST*837*"),
            FormatLocation(
                "wrong_version", "ST", "ST_LOOP", "transaction set '837'", element="ST01"
            ),
        ),
        (
            b"hello, not x12",
            FormatLocation(
                "not_x12",
                "ISA",
                "ISA_LOOP",
                "the file does not begin with an ISA interchange header",
                1,
            ),
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\xff",
            FormatLocation(
                "not_text", "ISA", "ISA_LOOP", "the file is not text (not UTF-8/ASCII)", 1
            ),
        ),
    ],
    ids=["bad-amount", "bad-code", "wrong-version", "wrong-transaction", "not-x12", "binary"],
)
def test_a_refused_835_carries_its_segment_and_loop(data: bytes, location: FormatLocation) -> None:
    exc = _refused(data)
    assert exc.location == location
    # The message says the same place (it is built from the same values).
    assert location.segment in str(exc) and location.detail in str(exc)


def test_the_location_survives_pickling_and_is_what_the_api_reports() -> None:
    exc = _refused(_broken("CLP*SYN-0001*1*800", "CLP*SYN-0001*1*8X0"))
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is X12FormatError
    assert (copy.code, str(copy), copy.location) == (exc.code, str(exc), exc.location)
    problem = locate(exc)
    assert (problem.kind, problem.segment, problem.loop, problem.line) == (
        "malformed",
        "CLP",
        "2100",
        17,
    )
    assert problem.code == "E901" and problem.message == str(exc)


def test_a_file_over_the_limit_is_located_at_the_header() -> None:
    exc = _refused(_text().encode(), max_bytes=1_024)
    assert exc.location == FormatLocation(
        "too_large", "ISA", "ISA_LOOP", "the file is larger than 1,024 bytes", 1
    )


def test_an_error_raised_without_a_location_is_placed_at_the_header() -> None:
    exc = RemittanceFormatError(
        Errors.E901, source="x.835", segment="ISA", loop="ISA_LOOP", line=1, problem="odd"
    )
    problem = locate(exc)
    assert (problem.kind, problem.segment, problem.loop) == ("malformed", "ISA", "ISA_LOOP")
