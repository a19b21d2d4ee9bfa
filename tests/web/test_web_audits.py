"""Monthly mini-audit over HTTP and its pure parts: sampling, summaries, charts, CSV."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.audit import AuditRow, stratified_sample, summarise
from assistant.audit.report import AuditReport, TrendPoint, previous_months, trend
from assistant.store import Database, WorklistRepository
from assistant.store.models import Audit, WorklistItem

AsRole = Callable[[str | None], str]


def _row(
    item_id: int,
    provider: str,
    verdict: str,
    band: str,
    missing: tuple[str, ...] = (),
    family: str = "esi",
    overrides: int = 0,
) -> AuditRow:
    probability = {"low": 0.05, "medium": 0.2, "high": 0.6}[band]
    return AuditRow(
        item_id,
        f"n{item_id}",
        provider,
        family,
        "medicare",
        "2026-10-01",
        verdict,
        probability,
        band,
        missing,
        overrides,
    )


@pytest.mark.parametrize("seed", [0, 7, 2**31 - 2])
def test_stratified_sample_is_reproducible_and_per_provider(seed: int) -> None:
    population = [(i, "A") for i in range(1, 21)] + [(i, "B") for i in range(21, 24)]
    first = stratified_sample(population, 5, seed)
    assert first == stratified_sample(list(reversed(population)), 5, seed)
    assert sum(1 for i in first if i <= 20) == 5  # A: 5 of 20
    assert {21, 22, 23} <= set(first)  # B: fewer than 5, all taken
    # Adding a provider does not change the others' draws.
    assert set(first) <= set(stratified_sample([*population, (99, "C")], 5, seed))


def test_stratified_sample_differs_by_seed_and_refuses_zero() -> None:
    population = [(i, "A") for i in range(100)]
    draws = {tuple(stratified_sample(population, 10, seed)) for seed in range(5)}
    assert len(draws) == 5
    with pytest.raises(ValueError, match="at least 1"):
        stratified_sample(population, 0, 1)


def test_summarise_groups_rates_missing_and_bands() -> None:
    rows = [
        _row(1, "A", "ready", "low"),
        _row(2, "A", "needs_attention", "medium", ("consent", "images"), overrides=1),
        _row(3, "A", "not_billable_as_documented", "high", ("consent",), family="rfa"),
        _row(4, "B", "ready", "low", family="none"),
        _row(5, "B", "not_recognised", "low", family="none"),
    ]
    by_provider = summarise(rows, by_family=False)
    assert [(s.provider, s.n, s.ready, s.not_recognised) for s in by_provider] == [
        ("A", 3, 1, 0),
        ("B", 2, 1, 1),
    ]
    a = by_provider[0]
    assert a.readiness_rate == pytest.approx(1 / 3)
    assert a.top_missing == [("consent", 2), ("images", 1)]
    assert a.bands == {"low": 1, "medium": 1, "high": 1}
    assert a.mean_risk == pytest.approx((0.05 + 0.2 + 0.6) / 3)
    assert a.overrides == 1
    by_family = summarise(rows, by_family=True)
    assert [(s.provider, s.family, s.n) for s in by_family] == [
        ("A", "esi", 2),
        ("A", "rfa", 1),
        ("B", "none", 2),
    ]


def test_previous_months_and_trend() -> None:
    assert previous_months("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    points = trend(
        {
            "2026-10": [_row(1, "A", "ready", "low")],
            "2026-09": [_row(2, "A", "needs_attention", "medium")],
        }
    )
    assert points == [TrendPoint("2026-09", "A", 1, 0.0), TrendPoint("2026-10", "A", 1, 1.0)]


def _csrf(client: TestClient) -> str:
    """The CSRF token of the signed-in session's forms."""
    return str(re.findall(r'name="csrf" value="([^"]+)"', client.get("/").text)[0])


def _import_checked(
    client: TestClient, admin_token: str, rows: list[tuple[str, str, str, str]]
) -> int:
    """Import (note_id, provider, date, text) rows as an admin; wait until all are checked."""
    import time

    client.cookies.clear()
    client.cookies.set("chartready_session", admin_token)
    token = _csrf(client)
    lines = ["note_id,provider,date_of_service,payer,note_text"]
    for note_id, provider, day, text in rows:
        escaped = text.replace('"', '""')
        lines.append(f'{note_id},{provider},{day},medicare,"{escaped}"')
    files = {"file": ("batch.csv", "\n".join(lines).encode(), "text/csv")}
    response = client.post(
        "/worklist/import", data={"csrf": token}, files=files, follow_redirects=False
    )
    batch_id = int(response.headers["location"].rsplit("=", 1)[1])
    for _ in range(300):
        if client.get(f"/worklist/batches/{batch_id}/progress").json()["finished"]:
            return batch_id
        time.sleep(0.1)
    raise AssertionError("audit batch not checked")


@pytest.fixture(scope="module")
def checked_items(
    web_client: TestClient, session_tokens: dict[str, str], esi_note: str, office_note: str
) -> int:
    """Import a small batch for the audit (its own provider names) and wait for the checks."""
    rows = [
        (f"a-{i}", "Audit A" if i < 4 else "Audit B", f"2026-08-{i + 10}", note)
        for i, note in enumerate([office_note, esi_note] * 3)
    ]
    return _import_checked(web_client, session_tokens["admin"], rows)


def _draw(client: TestClient, token: str, seed: str, per_provider: str = "2") -> int:
    form = {"month": "2026-08", "per_provider": per_provider, "seed": seed, "csrf": token}
    response = client.post("/audits", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


@pytest.mark.usefixtures("checked_items")
def test_audit_same_seed_draws_same_sample(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    token = as_role("quality_lead")
    first, second = _draw(web_client, token, "1234"), _draw(web_client, token, "1234")
    with web_db.session() as session:
        repo = WorklistRepository(session)
        a, b = repo.get_audit(first), repo.get_audit(second)
        assert a is not None and b is not None
        assert a.item_ids == b.item_ids and len(a.item_ids) == 4  # 2 per provider
        assert a.seed == 1234


@pytest.mark.usefixtures("checked_items")
def test_audit_blank_seed_is_drawn_and_recorded(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    token = as_role("admin")
    audit_id = _draw(web_client, token, "")
    page = web_client.get(f"/audits/{audit_id}")
    assert page.status_code == 200
    with web_db.session() as session:
        audit = WorklistRepository(session).get_audit(audit_id)
        assert audit is not None
        assert f"seed <strong>{audit.seed}</strong>" in page.text


@pytest.mark.usefixtures("checked_items")
def test_audit_report_page_charts_and_csv(web_client: TestClient, as_role: AsRole) -> None:
    token = as_role("quality_lead")
    audit_id = _draw(web_client, token, "99", per_provider="10")
    page = web_client.get(f"/audits/{audit_id}")
    assert page.status_code == 200
    for heading in (
        "By provider",
        "By provider and procedure family",
        "Month over month (all checked notes)",
        "Overrides on sampled notes",
        "Sampled notes",
    ):
        assert f"<h2>{heading}</h2>" in page.text
    assert "Audit A" in page.text and "Audit B" in page.text
    assert "<td>Epidural steroid injection</td>" in page.text  # families in words
    assert "<td>esi</td>" not in page.text and "<td>none</td>" not in page.text
    for kind in ("readiness", "risk", "trend"):
        png = web_client.get(f"/audits/{audit_id}/charts/{kind}.png")
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG")
        svg = web_client.get(f"/audits/{audit_id}/charts/{kind}.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in svg.content
    assert web_client.get(f"/audits/{audit_id}/charts/pie.png").status_code == 404
    sample = web_client.get(f"/audits/{audit_id}/export.csv")
    assert sample.headers["content-type"].startswith("text/csv")
    lines = sample.text.strip().splitlines()
    assert lines[0].startswith("audit_id,month,seed,item_id,note_id,provider")
    assert len(lines) == 1 + 6  # every checked August note (fewer than 10 per provider)
    summary = web_client.get(f"/audits/{audit_id}/export.csv?table=summary").text
    assert summary.splitlines()[0].startswith("provider,family,n,readiness_rate,not_recognised")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"month": "2026-8", "per_provider": "2"}, "month must be YYYY-MM"),
        ({"month": "2026-08", "per_provider": "0"}, "sample size per provider"),
        ({"month": "2026-08", "per_provider": "2", "seed": "-1"}, "seed must be"),
    ],
)
def test_audit_form_validation(
    web_client: TestClient, as_role: AsRole, form: dict[str, str], error: str
) -> None:
    token = as_role("quality_lead")
    response = web_client.post("/audits", data={**form, "csrf": token})
    assert response.status_code == 422
    assert error in response.text


def test_audit_of_a_month_with_no_checked_notes_says_so_and_saves_nothing(
    web_client: TestClient, as_role: AsRole, web_db: Database
) -> None:
    token = as_role("quality_lead")
    with web_db.session() as session:
        before = session.scalar(select(func.count()).select_from(Audit))
    form = {"month": "1999-01", "per_provider": "5", "csrf": token}
    response = web_client.post("/audits", data=form, follow_redirects=False)
    assert response.status_code == 422
    assert "no checked notes in 1999-01: nothing to audit" in response.text
    assert 'value="1999-01"' in response.text  # the form is kept
    with web_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Audit)) == before


def test_charts_render_for_an_empty_report() -> None:
    from assistant.audit.charts import render_chart

    report = AuditReport(1, "2026-01", 5, 1, "x", [], [], [], [])
    for kind in ("readiness", "risk", "trend"):
        assert render_chart(report, kind, "png").startswith(b"\x89PNG")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def one_note_audit(
    web_client: TestClient, session_tokens: dict[str, str], web_db: Database, esi_note: str
) -> int:
    """An audit of a month with one checked note (no side: ESI-002), BASE-004 overridden."""
    _import_checked(
        web_client,
        session_tokens["admin"],
        [("solo-1", "Audit Solo", "2026-05-04", esi_note.replace("Right ", ""))],
    )
    with web_db.session() as session:
        item_id = session.scalars(select(WorklistItem.id).where(WorklistItem.note_id == "solo-1"))
        [found] = list(item_id)
    form = {"rule_id": "BASE-004", "reason": "images are in PACS", "csrf": _csrf(web_client)}
    response = web_client.post(f"/worklist/items/{found}/overrides", data=form)
    assert "done=override" in str(response.url)
    web_client.cookies.set("chartready_session", session_tokens["quality_lead"])
    form = {"month": "2026-05", "per_provider": "5", "seed": "5", "csrf": _csrf(web_client)}
    response = web_client.post("/audits", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_audit_names_rules_as_coders_see_them(
    web_client: TestClient, as_role: AsRole, one_note_audit: int
) -> None:
    as_role("quality_lead")
    page = web_client.get(f"/audits/{one_note_audit}").text
    top_missing = page.split("<h2>By provider</h2>", 1)[1].split("</table>", 1)[0]
    assert "ESI-002 Side not documented (1)" in top_missing
    sampled = page.split("<h2>Sampled notes</h2>", 1)[1]
    assert "ESI-002 Side not documented" in sampled
    overrides = page.split("<h2>Overrides on sampled notes</h2>", 1)[1].split("</table>", 1)[0]
    assert "<td>BASE-004 Saved images not documented for an image-guided procedure</td>" in (
        overrides
    )
    assert "esi-laterality-documented" not in page  # no internal symbols
    csv = web_client.get(f"/audits/{one_note_audit}/export.csv").text
    assert "ESI-002 Side not documented" in csv


def _svg_box(svg: str, patch: str) -> tuple[float, float]:
    """Top and bottom (y) of the first SVG path after ``<g id="{patch}">``."""
    match = re.search(rf'<g id="{patch}">\s*<path d="([^"]+)"', svg)
    assert match is not None, patch
    ys = [float(y) for y in re.findall(r"[-\d.]+ ([-\d.]+)", match.group(1))]
    return min(ys), max(ys)


def test_audit_charts_are_readable_with_one_data_point(
    web_client: TestClient, as_role: AsRole, one_note_audit: int
) -> None:
    as_role("quality_lead")
    charts = f"/audits/{one_note_audit}/charts"
    risk = web_client.get(f"{charts}/risk.svg").text
    ticks = re.findall(r'<g id="xtick_\d+">.*?<!-- (.*?) -->', risk, re.DOTALL)
    assert ticks and all(tick.isdigit() for tick in ticks), ticks  # whole notes: 0, 1
    readiness = web_client.get(f"{charts}/readiness.svg").text
    top, bottom = _svg_box(readiness, "patch_2")  # the plot area
    bar_top, bar_bottom = _svg_box(readiness, "patch_3")  # the one provider's bar
    assert (bar_bottom - bar_top) < 0.4 * (bottom - top)  # a bar, not a filled box
    assert "<!-- 0% -->" in web_client.get(f"{charts}/trend.svg").text  # the point in words


def test_printed_audit_is_headed_with_clinic_month_and_date_drawn(
    web_client: TestClient, as_role: AsRole, web_db: Database, one_note_audit: int
) -> None:
    as_role("quality_lead")
    page = web_client.get(f"/audits/{one_note_audit}").text
    with web_db.session() as session:
        audit = WorklistRepository(session).get_audit(one_note_audit)
        assert audit is not None
        drawn = audit.created_at.strftime("%Y-%m-%d %H:%M")
    header = re.search(r'<div class="print-only print-header">(.*?)</div>', page)
    assert header is not None
    assert all(part in header.group(1) for part in ("Pain management clinic", "2026-05", drawn))
    css = web_client.get("/static/app.css").text
    screen, printed = css.split("@media print {", 1)
    assert ".print-only { display: none; }" in screen
    assert ".print-only { display: block; }" in printed
