"""Section structure the assemblers reason about.

Groups of section categories (from ``rules/sections.json``), and the numbered item that
opens a paragraph or goes on with a section's list.
"""

from __future__ import annotations

import re

# A numbered item at the start of a line or paragraph ("1) Radiofrequency ablation", "2. f/u").
NUMBERED_ITEM = re.compile(r"\d{1,2}[.)][ \t]+[A-Za-z]")

# The patient's background: what happened before today, not what was done today.
BACKGROUND_SECTIONS = frozenset(
    {
        "history_of_present_illness",
        "past_medical_history",
        "medications",
        "allergies",
        "social_history",
        "family_history",
        "review_of_systems",
    }
)
