"""Validate billing scenarios a writer filed (shape, rule ids, verdicts); for the writers.

    python models/data/scenarios/validate.py models/data/scenarios/staging/<writer>

The same as ``chartready scenarios validate <folder>``.
"""

from __future__ import annotations

import sys

from assistant.cli import app

if __name__ == "__main__":
    app(["scenarios", "validate", *sys.argv[1:]])
