"""Coded errors: stable codes that logs, API problem bodies and tests can match on."""

from __future__ import annotations


class ChartReadyError(Exception):
    """Base class; ``code`` is stable across releases."""

    code = "E000"


class RuleFileError(ChartReadyError):
    """A packaged or user-supplied rule file is invalid."""

    code = "E001"


class NoteInputError(ChartReadyError):
    """A note cannot be read: empty, too large, not text or not UTF-8."""

    code = "E002"
