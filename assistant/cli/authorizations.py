"""``chartready authorizations list|add|update|schedule|worklist``: the coordinator's store.

Records go through the same validated records as the web page
(``assistant.preauth.tracking``); the worklist is the page's four queues, as a Rich table
or JSON. The database comes from ``CHARTREADY_DATABASE_URL`` or ``--database-url``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import app, fail

if TYPE_CHECKING:
    from assistant.preauth.coordinator import CoordinatorWorklist
    from assistant.store import Database

authorizations_app = typer.Typer(
    name="authorizations",
    help="Prior authorizations and scheduled procedures (the coordinator's worklist).",
    no_args_is_help=True,
)
app.add_typer(authorizations_app)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="Overrides CHARTREADY_DATABASE_URL.")
]
PatientOption = Annotated[
    str, typer.Option("--patient", help="The practice's pseudonymous patient key.")
]
LevelsOption = Annotated[str, typer.Option("--levels", help="Levels, e.g. L4-L5,L5-S1.")]
SideOption = Annotated[str | None, typer.Option("--side", help="left, right or bilateral.")]
UserOption = Annotated[
    str | None, typer.Option("--user", help="Recorded as who entered it (default: login).")
]


class OutputFormat(StrEnum):
    """How a listing is printed."""

    table = "table"
    json = "json"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _open(database_url: str | None) -> Database:
    from assistant.store import Database

    database = Database(database_url)
    database.migrate()
    return database


def _validated(model: Any, values: dict[str, Any]) -> Any:
    """``model`` built from ``values``, or exit 2 naming each bad field."""
    from pydantic import ValidationError

    from assistant.errors import validation_paths

    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise fail(validation_paths(exc)) from None


def _known_payer(payer: str) -> None:
    """Exit 2 naming the known payers unless ``payer`` is one."""
    from assistant.checks import load_registry
    from assistant.errors import UnknownPayerError

    try:
        load_registry().payer(payer)
    except UnknownPayerError as exc:
        raise fail(exc) from None


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


@authorizations_app.command("add")
def add(
    patient: PatientOption,
    payer: Annotated[str, typer.Option("--payer", help="Payer profile id.")],
    family: Annotated[str, typer.Option("--family", help="Procedure family id.")],
    cpt: Annotated[str, typer.Option("--cpt", help="Authorized CPT codes, comma separated.")] = "",
    levels: LevelsOption = "",
    side: SideOption = None,
    status: Annotated[
        str, typer.Option("--status", help="requested, pended, approved, denied or expired.")
    ] = "requested",
    number: Annotated[
        str | None, typer.Option("--number", help="Authorization number or UTN.")
    ] = None,
    valid_from: Annotated[str | None, typer.Option("--valid-from", help="YYYY-MM-DD.")] = None,
    valid_to: Annotated[str | None, typer.Option("--valid-to", help="YYYY-MM-DD.")] = None,
    units: Annotated[int | None, typer.Option("--units", help="Visits allowed.")] = None,
    submitted_on: Annotated[str | None, typer.Option("--submitted-on", help="YYYY-MM-DD.")] = None,
    decided_on: Annotated[str | None, typer.Option("--decided-on", help="YYYY-MM-DD.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free text (no names).")] = None,
    user: UserOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Record an authorization request, or the payer's decision on one."""
    from assistant.preauth.tracking import Authorization
    from assistant.store import AuthorizationRepository

    _known_payer(payer)
    record = _validated(
        Authorization,
        {
            "patient_key": patient,
            "payer": payer,
            "family": family,
            "cpt_codes": _split(cpt),
            "levels": _split(levels),
            "side": side,
            "status": status,
            "number": number,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "units_allowed": units,
            "submitted_on": submitted_on,
            "decided_on": decided_on,
            "note": note,
        },
    )
    database = _open(database_url)
    try:
        with database.session() as session:
            values = record.model_dump(exclude={"id"})
            row = AuthorizationRepository(session).add_authorization(
                values, user or getpass.getuser()
            )
            new_id = row.id
    finally:
        database.dispose()
    Console().print(f"authorization #{new_id} recorded: {record.procedure_words}, {status}")


@authorizations_app.command("update")
def update(
    authorization_id: Annotated[
        int, typer.Argument(help="The authorization's id (the first column of list).")
    ],
    status: Annotated[
        str, typer.Option("--status", help="requested, pended, approved, denied or expired.")
    ],
    number: Annotated[
        str | None,
        typer.Option("--number", "--reference", help="Authorization number, UTN or reference."),
    ] = None,
    decided_on: Annotated[
        str | None,
        typer.Option(
            "--decided-on", "--decided", help="YYYY-MM-DD (approved, denied: default today)."
        ),
    ] = None,
    clear_decided_on: Annotated[
        bool,
        typer.Option(
            "--clear-decided-on",
            help="Remove the stored decision date (not of an approved or denied request).",
        ),
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Record the payer's answer on a request: its new status, number and decision date.

    A request moves on as its history allows (an expired authorization stays expired);
    anything else is refused with the statuses it can take, and nothing is changed. A
    wrong decision date is cleared with --clear-decided-on; a denial sent again (requested,
    pended) loses its date by itself.
    """
    from api.authorizations import change_status
    from assistant.errors import StatusChangeError
    from assistant.preauth.tracking import CLEAR_DATE, DecidedOn

    if clear_decided_on and decided_on:
        raise fail("give --decided-on or --clear-decided-on, not both")
    try:
        decided: DecidedOn = dt.date.fromisoformat(decided_on) if decided_on else None
    except ValueError:
        raise fail(f"--decided-on {decided_on!r} is not a date (YYYY-MM-DD)") from None
    if clear_decided_on:
        decided = CLEAR_DATE
    database = _open(database_url)
    try:
        changed = change_status(
            database,
            authorization_id,
            status,
            today=dt.date.today(),
            decided_on=decided,
            number=number,
        )
    except StatusChangeError as exc:
        raise fail(f"{exc.code} authorization #{authorization_id} not changed: {exc}") from None
    finally:
        database.dispose()
    if changed is None:
        raise fail(f"no authorization #{authorization_id}")
    decided_words = f", decided {changed.decided_on.isoformat()}" if changed.decided_on else ""
    if clear_decided_on:
        decided_words = ", decision date cleared"
    number_words = f", number {changed.number}" if changed.number else ""
    Console().print(
        f"authorization #{authorization_id} is now {changed.status}{decided_words}{number_words}"
    )


@authorizations_app.command("schedule")
def schedule(
    patient: PatientOption,
    family: Annotated[str, typer.Option("--family", help="Procedure family id.")],
    date: Annotated[str, typer.Option("--date", help="Date of the procedure, YYYY-MM-DD.")],
    payer: Annotated[str, typer.Option("--payer", help="Payer profile id.")],
    levels: LevelsOption = "",
    side: SideOption = None,
    place_of_service: Annotated[
        str | None,
        typer.Option("--place-of-service", help="CMS code: 11 office, 19/22 HOPD, 24 ASC."),
    ] = None,
    user: UserOption = None,
    database_url: DatabaseOption = None,
) -> None:
    """Add a procedure to the schedule the worklist compares with the authorizations."""
    from assistant.preauth.tracking import ScheduledProcedure
    from assistant.store import AuthorizationRepository

    _known_payer(payer)
    record = _validated(
        ScheduledProcedure,
        {
            "patient_key": patient,
            "family": family,
            "levels": _split(levels),
            "side": side,
            "date": date,
            "payer": payer,
            "place_of_service": place_of_service,
        },
    )
    database = _open(database_url)
    try:
        with database.session() as session:
            values = record.model_dump(exclude={"id"})
            new_id = AuthorizationRepository(session).schedule(values, user or getpass.getuser()).id
    finally:
        database.dispose()
    Console().print(
        f"procedure #{new_id} scheduled: {record.procedure_words} on {record.date.isoformat()}"
    )


@authorizations_app.command("list")
def list_authorizations(
    patient: Annotated[str | None, typer.Option("--patient", help="Only this patient key.")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
    database_url: DatabaseOption = None,
) -> None:
    """List recorded authorizations, newest first, with their status as of today."""
    from assistant.preauth.tracking import STATUS_WORDS, authorizations_from
    from assistant.store import AuthorizationRepository

    database = _open(database_url)
    try:
        with database.session() as session:
            records = authorizations_from(AuthorizationRepository(session).authorizations(patient))
    finally:
        database.dispose()
    today = dt.date.today()
    if output_format is OutputFormat.json:
        _print_json(
            [{**r.model_dump(mode="json"), "status_today": r.status_on(today)} for r in records]
        )
        return
    table = Table("id", "patient", "procedure", "payer", "codes", "number", "status", "valid")
    for r in records:
        table.add_row(
            str(r.id),
            r.patient_key,
            r.procedure_words,
            r.payer,
            ", ".join(r.cpt_codes),
            r.number or "",
            STATUS_WORDS[r.status_on(today)],
            r.window_words,
        )
    Console().print(table)


def _worklist_tables(worklist: CoordinatorWorklist) -> list[Table]:
    """One Rich table per queue, titled in plain words."""
    unauthorized = Table(
        "date", "patient", "procedure", "payer", "POS", "why", "rule",
        title="Scheduled without an authorization",
    )  # fmt: skip
    for u in worklist.unauthorized:
        p = u.procedure
        unauthorized.add_row(
            p.date.isoformat(),
            p.patient_key,
            p.procedure_words,
            p.payer,
            p.place_of_service or "",
            u.reason,
            u.rule_id,
        )
    expiring = Table(
        "patient", "procedure", "number", "valid", "days left",
        title=f"Expiring within {worklist.days} days",
    )  # fmt: skip
    for e in worklist.expiring:
        a = e.authorization
        expiring.add_row(
            a.patient_key, a.procedure_words, a.number or "", a.window_words, str(e.days_left)
        )
    steps = Table(
        "patient", "last step", "next step", "payer", "rule",
        title="Next step needs a new request",
    )  # fmt: skip
    for s in worklist.next_steps:
        last = f"{s.last.date.isoformat()}: {s.last.procedure_words}"
        steps.add_row(s.patient_key, last, s.words, s.payer, s.rule_id)
    pended = Table(
        "patient", "procedure", "number", "submitted", "days waiting",
        title="Pended: waiting for records",
    )  # fmt: skip
    for w in worklist.pended:
        a = w.authorization
        submitted = a.submitted_on.isoformat() if a.submitted_on else ""
        waiting = "" if w.days_waiting is None else str(w.days_waiting)
        pended.add_row(a.patient_key, a.procedure_words, a.number or "", submitted, waiting)
    return [unauthorized, expiring, steps, pended]


@authorizations_app.command("worklist")
def worklist(
    days: Annotated[
        int, typer.Option("--days", min=1, max=365, help="Look this far ahead for expiries.")
    ] = 14,
    today: Annotated[
        str | None, typer.Option("--today", help="As of this date (YYYY-MM-DD; default today).")
    ] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.table,
    database_url: DatabaseOption = None,
) -> None:
    """The coordinator's four queues: unauthorized, expiring, next steps, pended."""
    from assistant.checks import load_registry
    from assistant.errors import RuleFileError
    from assistant.preauth.authorization_rules import load_authorization_rules
    from assistant.preauth.coordinator import coordinator_worklist
    from assistant.preauth.tracking import authorizations_from, scheduled_from
    from assistant.store import AuthorizationRepository

    try:
        as_of = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        raise fail(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
    try:
        rules = load_authorization_rules(load_registry())
    except RuleFileError as exc:
        raise fail(exc) from None
    database = _open(database_url)
    try:
        with database.session() as session:
            repo = AuthorizationRepository(session)
            authorizations = authorizations_from(repo.authorizations())
            scheduled = scheduled_from(repo.scheduled())
    finally:
        database.dispose()
    found = coordinator_worklist(scheduled, authorizations, rules, as_of, days)
    if output_format is OutputFormat.json:
        _print_json(found.model_dump(mode="json"))
        return
    console = Console()
    for table in _worklist_tables(found):
        console.print(table)
