"""The CDS Hooks 2.0 card and service-response shape, for the CDS tests to validate against."""

from __future__ import annotations

from typing import Any

CODING: dict[str, Any] = {
    "type": "object",
    "required": ["code"],
    "properties": {"code": {"type": "string"}, "system": {"type": "string"}},
}
CARD: dict[str, Any] = {
    "type": "object",
    "required": ["summary", "indicator", "source"],
    "properties": {
        "uuid": {"type": "string"},
        "summary": {"type": "string", "maxLength": 139},
        "detail": {"type": "string"},
        "indicator": {"enum": ["info", "warning", "critical"]},
        "source": {
            "type": "object",
            "required": ["label"],
            "properties": {"label": {"type": "string"}, "url": {"type": "string"}},
        },
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label"],
                "properties": {"label": {"type": "string"}, "uuid": {"type": "string"}},
            },
        },
        "selectionBehavior": {"enum": ["at-most-one", "any"]},
        "overrideReasons": {"type": "array", "items": CODING},
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "url", "type"],
                "properties": {"type": {"enum": ["absolute", "smart"]}},
            },
        },
    },
    "dependentRequired": {"suggestions": ["selectionBehavior"]},
}
RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["cards"],
    "properties": {"cards": {"type": "array", "items": CARD}},
}
