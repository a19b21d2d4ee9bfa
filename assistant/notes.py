"""Note text intake: decode, validate and bound the size of a note before reading it.

Bad input gets a clear, coded error (:class:`NoteInputError`) and never reaches the
reader. Error messages describe the input, never quote it (notes are PHI).
"""

from __future__ import annotations

MAX_NOTE_CHARS = 200_000  # the longest real note in the corpus is 31 k characters


def decode_note(raw: bytes, source: str = "note") -> str:
    """Decode UTF-8 bytes (a BOM is allowed) or raise a coded error naming ``source``."""
    from assistant.errors import Errors, NoteInputError

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"not valid UTF-8 (byte {exc.start}); save the note as UTF-8 text"
        raise NoteInputError(Errors.E002, source=source, problem=problem) from None
    return validate_note_text(text, source)


def validate_note_text(text: str, source: str = "note", max_chars: int = MAX_NOTE_CHARS) -> str:
    """Return the note unchanged if it is readable, else raise a coded error."""
    from assistant.errors import Errors, NoteInputError

    if not text.strip():
        problem = "the note is empty"
    elif len(text) > max_chars:
        problem = f"the note has {len(text):,} characters; the limit is {max_chars:,}"
    elif "\x00" in text:
        problem = "the note contains NUL bytes; it is not plain text"
    else:
        return text
    raise NoteInputError(Errors.E002, source=source, problem=problem)
