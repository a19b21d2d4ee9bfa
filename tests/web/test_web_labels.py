"""Words on pages: family labels from one table through one filter, rule names, pills that
never wrap; and the tab icon every page links."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.web.rendering import API_DIR, templates, top_factors
from assistant.facts import FAMILIES, FAMILY_LABELS, family_label
from assistant.findings import rule_name
from assistant.risk.schema import RiskScore


def test_every_family_has_one_label() -> None:
    assert set(FAMILY_LABELS) == set(FAMILIES)
    assert len(set(FAMILY_LABELS.values())) == len(FAMILY_LABELS)
    assert all(label[:1].isupper() and "_" not in label for label in FAMILY_LABELS.values())


@pytest.mark.parametrize(
    ("family", "approach", "label"),
    [
        ("esi", "transforaminal", "Transforaminal epidural steroid injection"),
        ("esi", None, "Epidural steroid injection"),
        ("facet_rfa", None, "Facet radiofrequency ablation"),
        ("none", None, "No procedure found"),
        (None, None, "No procedure found"),
        ("future_family", None, "Future family"),
    ],
)
def test_family_label(family: str | None, approach: str | None, label: str) -> None:
    assert family_label(family, approach) == label


def test_templates_show_families_only_through_the_filter() -> None:
    assert templates.env.filters["family_label"] is family_label
    shown = [
        (path.name, expression)
        for path in sorted((API_DIR / "templates").glob("*.html"))
        for expression in re.findall(r"\{\{(.*?)\}\}", path.read_text(encoding="utf-8"))
        if re.search(r"\bfamily\b", expression)
    ]
    assert shown, "some page shows a family"
    assert [(name, e) for name, e in shown if "family_label" not in e] == []


def test_risk_factor_names_the_family_in_words() -> None:
    risk = RiskScore.model_validate(
        {
            "logit": 0.0,
            "probability": 0.5,
            "band": "medium",
            "model_version": "test",
            "factors": [
                {"name": "family.facet_rfa", "label": "x", "value": 1, "contribution": 0.5}
            ],
        }
    )
    [factor] = top_factors(risk, [])
    assert factor.label.startswith("Procedure type (Facet radiofrequency ablation)")


def test_verdict_pills_do_not_wrap() -> None:
    css = (API_DIR / "static" / "app.css").read_text(encoding="utf-8")
    rule = re.search(r"^\.pill \{([^}]*)\}", css, re.MULTILINE)
    assert rule is not None and "white-space: nowrap" in rule.group(1)


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("Side not documented (transforaminal esi L4-L5 (lumbar))", "ESI-002 Side not documented"),
        ("Treated level(s) not documented (esi)", "ESI-002 Treated level(s) not documented"),
        (
            "Units/add-on codes exceed the levels documented: 3 > 2",
            "ESI-002 Units/add-on codes exceed the levels documented",
        ),
        ("", "ESI-002"),
    ],
)
def test_rule_name_drops_the_note_specific_detail(message: str, name: str) -> None:
    assert rule_name("ESI-002", message) == name


def test_every_page_links_an_svg_favicon(web_client: TestClient) -> None:
    page = web_client.get("/login").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = web_client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg") and len(icon.content) < 2_000
    legacy = web_client.get("/favicon.ico")  # where browsers look when a page links none
    assert legacy.headers["content-type"].startswith("image/svg+xml")
    assert legacy.content == icon.content
