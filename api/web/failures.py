"""A worklist item that could not be checked, explained in plain words with the way forward.

The item keeps only the error's code (``Errors.E002``...) or the queue's own reason, never note
text; this turns it into what a coder reads. The code stays visible as a reference for
the administrator and the logs.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import Errors
from assistant.notes import MAX_NOTE_CHARS
from assistant.store.worklist_queue import EXHAUSTED


@dataclass(frozen=True)
class Failure:
    """Why an item was not checked (``reason``, short) and what to do (``advice``)."""

    reason: str
    advice: str
    reference: str


_FIX_THE_EXPORT = (
    "Correct it in the source export and import the row again; a retry fails the same way."
)
_KNOWN = {
    Errors.E002.code: (
        "the note could not be read",
        f"The note is empty, longer than {MAX_NOTE_CHARS:,} characters, or not plain text. "
        + _FIX_THE_EXPORT,
    ),
    Errors.E010.code: (
        "the claim lines could not be read",
        "A CPT code, modifier, unit count or diagnosis code of the claim is malformed. "
        + _FIX_THE_EXPORT,
    ),
    Errors.E011.code: (
        "the payer is not one ChartReady knows",
        "The row names a payer with no payer profile. " + _FIX_THE_EXPORT,
    ),
    Errors.E503.code: (
        "the checker was busy or restarting",
        "Nothing is wrong with the note. Retry; it is checked again within moments.",
    ),
    EXHAUSTED: (
        "checking this note kept stopping the checker",
        "ChartReady gave up after several tries. Retry once; if it fails again, check the "
        "note by hand and tell your administrator.",
    ),
}


def explain_failure(error: str | None) -> Failure:
    """The plain-word explanation of a failed item's stored ``error``."""
    reference = error or "unknown"
    if reference in _KNOWN:
        reason, advice = _KNOWN[reference]
        return Failure(reason, advice, reference)
    return Failure(
        "ChartReady hit an unexpected problem while checking it",
        "Retry; if it fails again, check the note by hand and tell your administrator "
        "(quote the reference below).",
        reference,
    )
