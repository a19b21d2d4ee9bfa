"""A stored prior authorization and a note it does or does not cover, for the patient-key tests.

The API, the pre-sign page and the CLI compare a checked note with the patient's stored
authorizations; their tests share this note and this authorization.
"""

from __future__ import annotations

import datetime as dt

from assistant.store import AuthorizationRepository, Database

TODAY = dt.date.today()
# Hand-written, PHI-free: a right-sided facet block complete enough to be ready on its own.
MBB_NOTE = (
    "PROCEDURE: Right L4-L5 and L5-S1 lumbar medial branch block under fluoroscopic guidance. "
    "Second diagnostic block.\nIndication: axial low back pain, facet-mediated, worse with "
    "extension.\nInformed consent was obtained after discussing risks. No sedation was given.\n"
    "0.5 mL of 0.5% bupivacaine was injected at each level. Images were saved.\n"
    "Pain before the block 7/10 (NRS); pain after the block 1/10 (NRS), 85% relief.\n"
    "The patient tolerated the procedure well with no complications."
)


def authorize_mbb(database: Database, patient: str, side: str) -> None:
    """Store an approved Medicare authorization of the L4-L5/L5-S1 block on ``side``."""
    with database.session() as session:
        AuthorizationRepository(session).add_authorization(
            {
                "patient_key": patient,
                "payer": "medicare",
                "family": "facet_mbb",
                "cpt_codes": ["64493", "64494"],
                "levels": ["L4-L5", "L5-S1"],
                "side": side,
                "status": "approved",
                "number": f"UTN-{patient}",
                "valid_from": TODAY - dt.timedelta(days=10),
                "valid_to": TODAY + dt.timedelta(days=5),
            },
            created_by="tests",
        )
