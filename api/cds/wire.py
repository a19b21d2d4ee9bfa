"""CDS Hooks 2.0 wire models: discovery, hook requests, cards and card feedback.

Field names follow the specification (camelCase); unknown request fields are accepted and
ignored, as the specification asks of services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OVERRIDE_SYSTEM = "https://chartready.invalid/cds/override-reason"
SUMMARY_MAX = 139

Indicator = Literal["info", "warning", "critical"]


class Coding(BaseModel):
    """A FHIR Coding as CDS Hooks uses it."""

    model_config = ConfigDict(extra="allow")

    code: str
    system: str | None = None
    display: str | None = None


class CdsService(BaseModel):
    """One entry of the discovery response."""

    hook: str
    id: str
    title: str
    description: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class CdsDiscovery(BaseModel):
    """``GET /cds-services``."""

    services: list[CdsService]


class CdsRequest(BaseModel):
    """A hook call; unknown fields (and context fields) are accepted and ignored."""

    # Request examples are recorded exchanges (api/examples), attached on the route.
    model_config = ConfigDict(extra="allow")

    hook: str
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class Source(BaseModel):
    """Card source: the policy behind it."""

    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(BaseModel):
    """A suggestion's action (unused for documentation gaps; kept for the shape)."""

    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None


class Suggestion(BaseModel):
    """One thing the clinician can accept."""

    label: str
    uuid: str
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(BaseModel):
    """A link to the provider page (``absolute``)."""

    label: str
    url: str
    type: Literal["absolute", "smart"]


class Card(BaseModel):
    """A CDS Hooks card."""

    uuid: str
    summary: str = Field(max_length=SUMMARY_MAX)
    detail: str | None = None
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None


class CdsResponse(BaseModel):
    """Cards for one hook call."""

    cards: list[Card]


class AcceptedSuggestion(BaseModel):
    """A suggestion the clinician accepted."""

    model_config = ConfigDict(extra="allow")

    id: str


class OverrideReason(BaseModel):
    """Why a card was overridden."""

    model_config = ConfigDict(extra="allow")

    reason: Coding | None = None
    userComment: str | None = Field(default=None, max_length=2000)


class FeedbackItem(BaseModel):
    """One card's outcome."""

    model_config = ConfigDict(extra="allow")

    card: str = Field(min_length=1, max_length=64)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime


class FeedbackRequest(BaseModel):
    """``POST .../feedback``."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "feedback": [
                        {
                            "card": "0b0c3bd0-6d3c-4a3f-8f65-3c5d3c4e2b1a",
                            "outcome": "overridden",
                            "overrideReason": {
                                "reason": {
                                    "code": "documented-elsewhere",
                                    "system": OVERRIDE_SYSTEM,
                                },
                                "userComment": "Consent form scanned",
                            },
                            "outcomeTimestamp": "2026-01-05T10:00:00Z",
                        }
                    ]
                }
            ]
        },
    )

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)


class FeedbackPublic(BaseModel):
    """How many feedback items were stored."""

    stored: int
