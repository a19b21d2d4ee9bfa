"""The prior-authorization page: paste or upload a patient's notes, get the packet.

Any signed-in staff member may use it (the coordinator assembling a request is often a
coder). The form takes several notes, each with its id and date of service, pasted or
uploaded as text files, and the procedure to authorize. The packet page shows the printable
packet with buttons that download it as PDF or as a FHIR QuestionnaireResponse; they post
the same notes again (nothing is stored between the two requests). When anything is
refused, the form comes back with every note as it was sent and the reason in words.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import OptionalStaffDep, RunnerDep, require_role
from api.routes.authorizations import error_words
from api.routes.preauth import make_packet, packet_response, packet_template
from api.service import known_payers
from api.web.access import csrf_for, csrf_ok, set_csrf_cookie
from api.web.rendering import render
from assistant.checks import load_registry
from assistant.errors import (
    ChartReadyError,
    Errors,
    NoteInputError,
    PreauthInputError,
    ReaderUnavailable,
    UnknownPayerError,
)
from assistant.notes import MAX_NOTE_CHARS, decode_note
from assistant.preauth import Packet, render_html
from assistant.preauth.criteria import load_criteria
from assistant.preauth.outputs import OutputFormat, packet_output
from assistant.preauth.pdf import readiness_words
from assistant.preauth.request import MAX_NOTES, PacketRequest
from assistant.preauth.values import labelled_date
from assistant.store import SignedIn

logger = logging.getLogger("chartready.preauth")
router = APIRouter(prefix="/preauth", tags=["pages"])
Staff = Annotated[SignedIn, Depends(require_role())]
DOWNLOADS: dict[str, OutputFormat] = {"pdf": "pdf", "fhir": "fhir", "html": "html"}
MIN_SLOTS = 3
MAX_UPLOAD_BYTES = 4 * MAX_NOTE_CHARS  # UTF-8 takes at most 4 bytes a character
# Generous bounds: a longer field comes back in the form with a message, not as a bare 422.
NoteFields = Annotated[list[str] | None, Form(max_length=MAX_NOTES * 4)]
_FIELD_WORDS = {"note_id": "note id", "date_of_service": "date of service", "text": "text"}
_PLACES = {
    "family": "Procedure",
    "levels": "Levels",
    "side": "Side",
    "payer": "Payer",
    "date": "Planned date",
}


@dataclass(frozen=True)
class Slot:
    """One note box of the form: its id, date of service and text, as typed."""

    note_id: str = ""
    date: str = ""
    text: str = ""

    @property
    def blank(self) -> bool:
        return not (self.note_id.strip() or self.date.strip() or self.text.strip())


@dataclass(frozen=True)
class PreauthForm:
    """Everything the coordinator typed, kept to show again whatever happens."""

    family: str = "esi"
    levels: str = ""
    side: str = ""
    payer: str = "medicare"
    planned_date: str = ""
    patient: str = ""
    slots: tuple[Slot, ...] = field(default_factory=tuple)

    @property
    def procedure_fields(self) -> list[tuple[str, str]]:
        """The form's fields other than the notes, as ``(name, value)``."""
        return [
            ("family", self.family),
            ("levels", self.levels),
            ("side", self.side),
            ("payer", self.payer),
            ("planned_date", self.planned_date),
            ("patient", self.patient),
        ]

    @property
    def filled(self) -> list[Slot]:
        """The note boxes with something in them, in order."""
        return [slot for slot in self.slots if not slot.blank]

    def shown(self, extra: int = 0) -> list[Slot]:
        """The boxes to show: the filled ones first, then at least one empty one."""
        filled = self.filled
        blanks = max(MIN_SLOTS - len(filled), 1) + extra
        return [*filled, *(Slot() for _ in range(blanks))]

    def request(self) -> PacketRequest:
        """The form as the API's request (raises ``ValidationError`` for an overlong field)."""
        notes = [
            {
                "note_id": slot.note_id.strip() or f"note-{number}",
                "date_of_service": slot.date.strip() or None,
                "text": slot.text,
            }
            for number, slot in enumerate(self.filled, start=1)
        ]
        procedure = {
            "family": self.family,
            "levels": [self.levels] if self.levels.strip() else [],
            "side": self.side or None,
            "payer": self.payer,
            "date": self.planned_date.strip() or None,
        }
        return PacketRequest.model_validate(
            {"notes": notes, "procedure": procedure, "patient": self.patient or None}
        )


def note_label(index: int, part: str | None = None) -> str:
    """A note in the coordinator's words: "Note 2", "Note 2, date of service"."""
    name = f"Note {index + 1}"
    return f"{name}, {_FIELD_WORDS.get(part, part)}" if part else name


def _place(loc: tuple[int | str, ...]) -> str:
    """Where a request error is, as the form names it ("Note 2, date of service", "Levels")."""
    if loc[:1] == ("notes",) and len(loc) >= 3 and isinstance(loc[1], int):
        return note_label(loc[1], str(loc[2]))
    if loc[:1] == ("patient",):
        return "Patient key"
    fields = [str(part) for part in loc if isinstance(part, str)]  # not a list's index
    return _PLACES.get(fields[-1], fields[-1]) if fields else "Form"


def refusal_words(exc: ChartReadyError) -> str:
    """A coded refusal as the coordinator reads it (the code stays for the administrator)."""
    message = str(exc)
    if exc.code == Errors.E104.code:  # its text speaks of the CLI's manifest
        where = message.split(": no date of service", 1)[0]
        message = (
            f"{where}: no date of service. Enter it in the note's date box, or start the "
            "note with a 'Date of service:' line"
        )
    if re.match(r"[a-z]+ ", message):  # a sentence, not a file name
        message = message[:1].upper() + message[1:]
    return f"{message} ({exc.code})."


async def _uploaded(files: list[UploadFile]) -> tuple[list[Slot], list[str]]:
    """Each uploaded text file as a note box (dated from its own line), and the refusals."""
    slots: list[Slot] = []
    errors: list[str] = []
    for upload in files:
        name = upload.filename or ""
        raw = await upload.read(MAX_UPLOAD_BYTES + 1)
        if not name and not raw:
            continue  # the file box was left empty
        if len(raw) > MAX_UPLOAD_BYTES:
            errors.append(f"{name}: larger than {MAX_UPLOAD_BYTES:,} bytes; not a single note.")
            continue
        try:
            text = decode_note(raw, name or "uploaded file")
        except NoteInputError as exc:
            errors.append(refusal_words(exc))
            continue
        found = labelled_date(text)
        stem = PurePath(name).stem[:200] if name else ""
        slots.append(Slot(stem, found.isoformat() if found else "", text.replace("\r\n", "\n")))
    return slots, errors


def _families() -> list[str]:
    return load_criteria(load_registry()).families()


def _form_page(
    request: Request,
    user: SignedIn | None,
    form: PreauthForm,
    errors: list[str],
    *,
    status: int = 200,
    extra_slots: int = 0,
) -> HTMLResponse:
    """The form with everything typed so far and, when refused, why."""
    response = render(
        request,
        "preauth.html",
        {
            "form": form,
            "slots": form.shown(extra_slots),
            "errors": errors,
            "families": _families(),
            "payers": known_payers(),
            "sides": ("left", "right", "bilateral"),
            "max_notes": MAX_NOTES,
        },
        user=user,
        csrf=csrf_for(request, user),
        status_code=status,
    )
    set_csrf_cookie(request, response)
    return response


def _packet_page(
    request: Request,
    user: SignedIn,
    form: PreauthForm,
    packet_request: PacketRequest,
    packet: Packet,
) -> HTMLResponse:
    """The packet, with download buttons that post the same (now dated) notes again."""
    dated = {note.note_id: note.date.isoformat() for note in packet.timeline.notes}
    notes = packet_request.notes
    kept = replace(
        form, slots=tuple(Slot(n.note_id, dated.get(n.note_id, ""), n.text) for n in notes)
    )
    return render(
        request,
        "preauth_result.html",
        {
            "form": kept,
            "procedure_fields": kept.procedure_fields,
            "packet": packet,
            "readiness": readiness_words(packet),
            "packet_html": render_html(packet, packet_template()),
        },
        user=user,
        csrf=user.csrf_token,
    )


@router.get("", response_class=HTMLResponse)
async def preauth_form(request: Request, user: Staff) -> Response:
    """The form: the patient's notes and the procedure to authorize."""
    return _form_page(request, user, PreauthForm(), [])


@router.post("", response_class=HTMLResponse)
async def preauth_packet(
    request: Request,
    runner: RunnerDep,
    user: OptionalStaffDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
    action: Annotated[str, Form(max_length=20)] = "packet",
    family: Annotated[str, Form(max_length=200)] = "esi",
    levels: Annotated[str, Form(max_length=1000)] = "",
    side: Annotated[str, Form(max_length=50)] = "",
    payer: Annotated[str, Form(max_length=200)] = "medicare",
    planned_date: Annotated[str, Form(max_length=100)] = "",
    patient: Annotated[str, Form(max_length=1000)] = "",
    note_id: NoteFields = None,
    note_date: NoteFields = None,
    note_text: NoteFields = None,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Build the packet (or download it as PDF, FHIR JSON or a printable page).

    Nothing is stored. A refusal shows the form again with every note as it was sent.
    """
    boxes = itertools.zip_longest(note_id or [], note_date or [], note_text or [], fillvalue="")
    slots = tuple(Slot(i, d, t.replace("\r\n", "\n")) for i, d, t in boxes)
    form = PreauthForm(family, levels, side, payer, planned_date, patient, slots)
    uploaded, errors = await _uploaded(files or [])
    form = replace(form, slots=(*form.filled, *uploaded))
    if user is None:
        message = (
            "You were signed out, so nothing was built. Sign in again in another tab, then "
            "press the button again: your notes are still here."
        )
        return _form_page(request, None, form, [message], status=401)
    if not csrf_ok(request, user, csrf):
        message = "The form expired; press the button again (your notes are still here)."
        return _form_page(request, user, form, [message], status=403)
    if action == "add" or errors:
        return _form_page(request, user, form, errors, status=422 if errors else 200, extra_slots=1)
    if not form.filled:
        message = "Paste or upload at least one note of the patient."
        return _form_page(request, user, form, [message], status=422)
    if len(form.filled) > MAX_NOTES:
        message = f"{len(form.filled)} notes: at most {MAX_NOTES} can go into one packet."
        return _form_page(request, user, form, [message], status=422)
    try:
        packet_request = form.request()
    except ValidationError as exc:
        return _form_page(request, user, form, error_words(exc, _place), status=422)
    try:
        packet = await make_packet(packet_request, runner, note_label)
    except (PreauthInputError, UnknownPayerError, NoteInputError) as exc:
        return _form_page(request, user, form, [refusal_words(exc)], status=422)
    except ReaderUnavailable as exc:
        message = f"{refusal_words(exc)} Your notes are still here."
        return _form_page(request, user, form, [message], status=503)
    logger.info(
        "preauth page: %d notes, %s, ready=%s, action %s",
        len(packet.timeline.notes),
        packet.procedure.family,
        packet.ready_to_submit,
        action,
    )
    if action in DOWNLOADS:
        chosen = DOWNLOADS[action]
        data = await run_in_threadpool(packet_output, packet, chosen, packet_template())
        return packet_response(packet, chosen, data, download=chosen != "html")
    return _packet_page(request, user, form, packet_request, packet)
