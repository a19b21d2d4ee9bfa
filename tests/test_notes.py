import pytest

from assistant.errors import NoteInputError
from assistant.notes import MAX_NOTE_CHARS, decode_note, validate_note_text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\xff\xfe bad", "not valid UTF-8"),
        (b"abc\x00def", "NUL"),
        (b"x" * (MAX_NOTE_CHARS + 1), "limit"),
    ],
)
def test_decode_note_rejects_bad_input_with_code(raw: bytes, message: str) -> None:
    with pytest.raises(NoteInputError, match=message) as info:
        decode_note(raw, "upload")
    assert info.value.code == "E002"
    assert "upload" in str(info.value)


def test_decode_note_accepts_bom_and_unicode() -> None:
    assert decode_note("\ufeffPain 7/10 — right‐sided".encode()) == "Pain 7/10 — right‐sided"


def test_validate_note_text_returns_text_unchanged() -> None:
    assert validate_note_text("Pain 5/10.") == "Pain 5/10."
