"""Tables for prior authorizations and the procedures they are for.

A patient is the practice's pseudonymous key (never a name); it is shown to staff on the
coordinator page and never written to logs. Levels and CPT codes are JSON lists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.models import Base, utcnow


class StoredAuthorization(Base):
    """One authorization request: what was asked, what the payer decided, and its window."""

    __tablename__ = "authorizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_key: Mapped[str] = mapped_column(String(100), index=True)
    payer: Mapped[str] = mapped_column(String(50))
    family: Mapped[str] = mapped_column(String(30))
    cpt_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    side: Mapped[str | None] = mapped_column(String(10), default=None)
    number: Mapped[str | None] = mapped_column(String(50), default=None)
    status: Mapped[str] = mapped_column(String(12), index=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, default=None, index=True)
    units_allowed: Mapped[int | None] = mapped_column(Integer, default=None)
    submitted_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    decided_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    note: Mapped[str | None] = mapped_column(String(1000), default=None)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoredScheduledProcedure(Base):
    """A procedure on the schedule (or done): patient, family, levels, side, date, payer, POS."""

    __tablename__ = "scheduled_procedures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_key: Mapped[str] = mapped_column(String(100), index=True)
    family: Mapped[str] = mapped_column(String(30))
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    side: Mapped[str | None] = mapped_column(String(10), default=None)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    payer: Mapped[str] = mapped_column(String(50))
    place_of_service: Mapped[str | None] = mapped_column(String(2), default=None)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
