"""Coded errors: stable codes that logs, API problem bodies and tests can match on."""

from __future__ import annotations

from pydantic import ValidationError


def validation_paths(exc: ValidationError) -> str:
    """Path-precise pydantic errors: ``[elements -> 3 -> severty] Extra inputs ...``."""
    return "; ".join(
        f"[{' -> '.join(str(part) for part in err['loc'])}] {err['msg']}" for err in exc.errors()
    )


class ChartReadyError(Exception):
    """Base class; ``code`` is stable across releases."""

    code = "E000"


class RuleFileError(ChartReadyError):
    """A packaged or user-supplied rule file is invalid."""

    code = "E001"


class NoteInputError(ChartReadyError):
    """A note cannot be read: empty, too large, not text or not UTF-8."""

    code = "E002"
