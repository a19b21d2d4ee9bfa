"""Prior authorization: a patient's notes -> timeline -> payer criteria -> packet."""

from assistant.preauth.notes import PatientNote, dated_notes, load_manifest, read_patient_notes
from assistant.preauth.packet import Packet, build_packet, check_family, render_html
from assistant.preauth.planned import PlannedProcedure, parse_levels
from assistant.preauth.timeline import build_timeline

__all__ = [
    "Packet",
    "PatientNote",
    "PlannedProcedure",
    "build_packet",
    "build_timeline",
    "check_family",
    "dated_notes",
    "load_manifest",
    "parse_levels",
    "read_patient_notes",
    "render_html",
]
