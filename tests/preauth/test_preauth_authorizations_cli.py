"""``chartready authorizations add|update|schedule|list|worklist`` against a real store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assistant.cli import app


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["authorizations", *args, "--database-url", url])
    return result.exit_code, result.output


@pytest.fixture
def url(store_url: str) -> str:
    """A store with one patient's facet care: MBB 1 done, MBB 2 scheduled, one request."""
    steps = [
        ("schedule", "--family", "facet_mbb", "--date", "2026-02-10"),
        ("schedule", "--family", "facet_mbb", "--date", "2026-03-05"),
    ]
    for command, *rest in steps:
        code, output = _run(
            store_url,
            command,
            "--patient",
            "P-1",
            "--payer",
            "medicare",
            "--levels",
            "L4-L5,L5-S1",
            "--side",
            "left",
            "--place-of-service",
            "22",
            *rest,
        )
        assert code == 0, output
    code, output = _run(
        store_url,
        "add",
        "--patient",
        "P-1",
        "--payer",
        "medicare",
        "--family",
        "facet_mbb",
        "--cpt",
        "64493,64494",
        "--levels",
        "L4-5,L5-S1",
        "--side",
        "left",
        "--status",
        "approved",
        "--number",
        "UTN-1",
        "--valid-from",
        "2026-02-01",
        "--valid-to",
        "2026-03-12",
        "--units",
        "1",
    )
    assert code == 0, output
    assert "authorization #1 recorded" in output
    return store_url


def test_authorizations_cli_list_json_and_table(url: str) -> None:
    code, output = _run(url, "list", "--format", "json")
    assert code == 0, output
    (listed,) = json.loads(output)
    assert listed["levels"] == ["L4-L5", "L5-S1"] and listed["cpt_codes"] == ["64493", "64494"]
    assert listed["status"] == "approved" and listed["units_allowed"] == 1
    code, output = _run(url, "list", "--patient", "P-2")
    assert code == 0 and "P-1" not in output


def test_authorizations_cli_worklist_queues(url: str) -> None:
    code, output = _run(
        url, "worklist", "--today", "2026-03-02", "--days", "14", "--format", "json"
    )
    assert code == 0, output
    found = json.loads(output)
    (missing,) = found["unauthorized"]
    assert missing["procedure"]["date"] == "2026-03-05"
    assert "all 1 visit(s) used" in missing["reason"]
    assert [e["authorization"]["number"] for e in found["expiring"]] == ["UTN-1"]
    assert [s["next_family"] for s in found["next_steps"]] == ["facet_rfa"]
    assert found["pended"] == []
    code, output = _run(url, "worklist", "--today", "2026-03-02")
    assert code == 0, output
    for title in ("Scheduled without an authorization", "Expiring within 14 days"):
        assert title in output
    assert "Next step needs a new request" in output and "Pended" in output


def test_authorizations_cli_update_records_the_payers_answer(url: str) -> None:
    code, output = _run(url, "update", "1", "--status", "denied", "--decided-on", "2026-03-01")
    assert code == 0 and "authorization #1 is now denied" in output, output
    code, output = _run(url, "list", "--format", "json")
    (listed,) = json.loads(output)
    assert listed["status"] == "denied" and listed["decided_on"] == "2026-03-01"
    assert listed["number"] == "UTN-1"  # kept when no new number is given
    code, output = _run(url, "update", "1", "--status", "approved", "--number", "UTN-2")
    assert code == 0, output
    (listed,) = json.loads(_run(url, "list", "--format", "json")[1])
    assert listed["status"] == "approved" and listed["number"] == "UTN-2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["update", "99", "--status", "approved"], "no authorization #99"),
        (["update", "1", "--status", "granted"], "unknown status 'granted'"),
        (["update", "1", "--status", "denied", "--decided-on", "soon"], "is not a date"),
    ],
)
def test_authorizations_cli_update_refuses_bad_input(
    url: str, args: list[str], message: str
) -> None:
    code, output = _run(url, *args)
    assert code == 2
    assert message in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--patient", "P", "--payer", "acme", "--family", "esi"], "unknown payer 'acme'"),
        (["add", "--patient", "P", "--payer", "medicare", "--family", "esx"], "[family]"),
        (
            ["add", "--patient", "P", "--payer", "medicare", "--family", "esi", "--levels", "L9"],
            "[levels]",
        ),
        (
            ["add", "--patient", "P", "--payer", "medicare", "--family", "esi", "--status", "ok"],
            "[status]",
        ),
        (
            [
                "schedule",
                *("--patient", "P", "--payer", "medicare", "--family", "esi"),
                *("--date", "2026-02-30"),
            ],
            "[date]",
        ),
        (
            [
                "schedule",
                *("--patient", "P", "--payer", "medicare", "--family", "esi"),
                *("--date", "2026-02-03", "--place-of-service", "HOPD"),
            ],
            "[place_of_service]",
        ),
        (["worklist", "--today", "soon"], "not a date"),
    ],
)
def test_authorizations_cli_refuses_bad_input_with_the_field(
    store_url: str, args: list[str], message: str
) -> None:
    code, output = _run(store_url, *args)
    assert code == 2
    assert message in output
