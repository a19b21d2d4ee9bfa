"""Groups of section categories (from ``rules/sections.json``) that assemblers reason about."""

from __future__ import annotations

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
