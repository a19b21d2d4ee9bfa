"""Every coded error in one place: the catalogue of codes and messages, and the exceptions.

After spaCy's ``errors.py``: each code means one thing, is never reused for another, and is
stable across releases, so logs, the CLI, API problem bodies and tests can match on it. A
raise site names the catalogue entry and passes the template's values,
``RiskModelError(Errors.E304, directory=path)``; ``str(exc)`` is the filled-in message and
``exc.code`` the code, which only the output (CLI line, problem body) puts beside it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


class Message:
    """One catalogue entry: a code (the attribute's name) and its message template."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.code = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.code = name

    def format(self, **values: object) -> str:
        """The message with ``values`` filled in."""
        return self.template.format(**values)


class Errors:
    """Code -> message template. Add codes at the end; never renumber or reuse one."""

    # The API could not answer (an unexpected exception; details are only logged).
    E000 = Message("Internal error.")
    # A packaged or user-supplied rule or data file is unreadable, not YAML, or invalid.
    E001 = Message("{file}: {errors}")
    # A note cannot be read: empty, too large, not text or not UTF-8.
    E002 = Message("{source}: {problem}")
    # A claim or procedure history is malformed.
    E010 = Message("{source}: {problem}")
    # A check asked for a payer profile that no payer file defines.
    E011 = Message("unknown payer {payer!r}; known payers: {known}")
    # A batch input row cannot be checked: no note id, a repeated note id, or a bad field.
    E020 = Message("{where}: {problem}")
    # A batch input cannot be read: unknown format, missing columns, unreadable file.
    E021 = Message("{source}: {problem}")
    # A batch output folder holds another run (other input or settings) or cannot be written.
    E022 = Message("{out}: {problem}")
    # Checking one batch row raised an unexpected exception (a bug); the run went on.
    E023 = Message("{where}: checking failed ({error}); the row was skipped")
    # A worklist import row names a payer that no payer profile defines (checked at import).
    E024 = Message("{where} [payer] unknown payer {payer!r}; the allowed payer ids are: {known}")
    # Prior authorization was asked for a procedure family that has no criteria.
    E101 = Message("unknown procedure family {family!r} for prior authorization; known: {known}")
    # A prior-authorization folder holds no note files.
    E102 = Message("{folder}: no note files (*.txt) found")
    # A note file named for prior authorization cannot be opened.
    E103 = Message("{source}: cannot read ({problem})")
    # A note has no date of service (none in the manifest, no dated line in the note).
    E104 = Message(
        "{note}: no date of service; give the note's date (a manifest, a date field, or a "
        "'Date of service:' line in the note)"
    )
    # A prior-authorization manifest is unreadable or malformed.
    E105 = Message("{source}: {problem}")
    # A prior-authorization request names levels that are not spinal levels.
    E106 = Message("{levels!r} is not a list of levels such as L4-L5,L5-S1 or L1")
    # An authorization's status change names a status that does not exist.
    E107 = Message("unknown status {status!r}; known: {known}")
    # An authorization cannot take that status next (``NEXT_STATUSES``: an expired one stays).
    E108 = Message("{label} is {now}, so it cannot become {status}; {then}")
    # An authorization's decision is dated before its request was submitted.
    E109 = Message("decided on {decided_on}, before the request was submitted ({submitted_on})")
    # An authorization number or payer reference is longer than the store keeps.
    E110 = Message("the number is longer than {limit} characters")
    # The decision date of an approved or denied authorization was to be cleared.
    E111 = Message(
        "a decision has a date, so {label} cannot be {status} without one; give the right "
        "date instead of clearing it"
    )
    # A risk model is missing, unreadable, or does not match the feature definitions.
    E301 = Message("{where}: {problem}")
    # A risk model was saved by another scikit-learn version than the one installed.
    E302 = Message(
        "risk model {version!r} was saved with scikit-learn {saved}, but scikit-learn "
        "{installed} is installed. Retrain it with `chartready train` (or install "
        "scikit-learn=={saved}); refusing to load a pickle across versions."
    )
    # Training data are unreadable, too few, or one-class.
    E303 = Message("{where}: {problem}")
    # Training would overwrite an existing risk-model version.
    E304 = Message("{directory} exists; model versions are never overwritten")
    # No reader process could finish a call (one stopped, none came up, shutting down).
    E503 = Message("{reason}; please retry")
    # A learned-model label file or artifact is missing or invalid.
    E701 = Message("{where}: {problem}")
    # A billing-scenario file (models/data/scenarios) is not valid JSON or breaks its schema.
    E702 = Message("{where}: {problem}")
    # An audit was asked for a month in which no note has been checked.
    E801 = Message(
        "no checked notes in {month}: nothing to audit. Import and check that month's notes "
        "in the worklist first."
    )
    # An X12 835 file breaks the 5010 implementation guide (no data values in the message).
    E901 = Message("{source}: {segment} segment in loop {loop} (line {line}): {problem}")
    # A file is X12 but not an 835 remittance of version 005010X221A1.
    E902 = Message("{source}: {segment} says {found}; ChartReady reads only {expected}")
    # A denial report was asked for a month with no imported remittance lines.
    E903 = Message(
        "no remittance lines with a date of service in {month}: nothing to report. Import "
        "that month's 835 files with `chartready remittances import` first."
    )


def validation_paths(exc: ValidationError) -> str:
    """Path-precise pydantic errors: ``[elements -> 3 -> severty] Extra inputs ...``."""
    return "; ".join(_located(err["loc"], err["msg"]) for err in exc.errors())


def _located(loc: tuple[int | str, ...], message: str) -> str:
    if not loc:
        return message
    return f"[{' -> '.join(str(part) for part in loc)}] {message}"


def _rebuilt(cls: type[ChartReadyError], code: str, message: str) -> ChartReadyError:
    """An error as it was raised (unpickling: errors cross from the reader processes)."""
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.code = code
    return exc


class ChartReadyError(Exception):
    """Base class of coded errors: ``exc.code`` is the code, ``str(exc)`` the message."""

    def __init__(self, error: Message, /, **values: object) -> None:
        super().__init__(error.format(**values))
        self.code = error.code

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuilt, (type(self), self.code, str(self)))


class RuleFileError(ChartReadyError):
    """A packaged or user-supplied rule or data file is invalid (E001)."""


class NoteInputError(ChartReadyError):
    """A note cannot be read: empty, too large, not text or not UTF-8 (E002)."""


class ClaimInputError(ChartReadyError):
    """A claim or history file is malformed; the message names the path of each error (E010)."""


class UnknownPayerError(ChartReadyError):
    """A check asked for a payer profile the registry does not have (E011)."""


class RiskModelError(ChartReadyError):
    """A risk model cannot be loaded or saved (E301, E304)."""


class RiskModelVersionError(RiskModelError):
    """A risk model was saved by another scikit-learn version than the one installed (E302)."""


class TrainingDataError(ChartReadyError):
    """Training data are unreadable, too few, or one-class (E303)."""


class ReaderUnavailable(ChartReadyError):
    """No reader process could finish the call (one stopped mid-call, or none came up; E503)."""


class LearnedDataError(ChartReadyError):
    """A learned-model label file or artifact is missing or invalid (E701)."""


class BatchRowError(ChartReadyError):
    """One batch input row cannot be checked; the run reports it by id and goes on (E020)."""


class BatchInputError(ChartReadyError):
    """A batch input cannot be read at all (E021)."""


class BatchOutputError(ChartReadyError):
    """A batch output folder holds another run or cannot be written (E022)."""


class NothingToAudit(ChartReadyError):
    """An audit month has no checked notes, so no sample can be drawn (E801)."""


class RemittanceFormatError(ChartReadyError):
    """An 835 file is malformed (E901) or not an 835 of version 5010 (E902)."""


class PreauthInputError(ChartReadyError):
    """A prior-authorization request cannot be built from its inputs (E101-E106)."""


class NoRemittances(ChartReadyError):
    """A denial report month has no imported remittance lines (E903)."""


class StatusChangeError(ChartReadyError):
    """An authorization's status change that cannot be made; nothing is changed (E107-E111)."""
