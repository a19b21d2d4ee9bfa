"""The whole rule reference: checklist, coding, E/M, opioid and authorization rules, as data.

Written by ``chartready checklists docs`` and served by the web app at ``/rules`` (each
finding links to its rule there); the page is rendered by ``assistant.rule_docs``.
"""

from __future__ import annotations

from assistant.checks import load_registry
from assistant.checks.reference import checklist_sections
from assistant.em.loader import finding_file
from assistant.em.reference import em_section
from assistant.preauth.authorization_rules import load_authorization_rules
from assistant.preauth.reference import authorization_section
from assistant.rule_docs import Format, SectionDoc, html_body, render_reference


def reference_sections() -> list[SectionDoc]:
    """Every rule set as the page lists it: checklists, coding, E/M, authorization."""
    registry = load_registry()
    return [
        *checklist_sections(registry),
        em_section(finding_file()),
        authorization_section(load_authorization_rules(registry)),
    ]


def rule_reference(fmt: Format = "markdown") -> str:
    """The rule reference page in ``fmt`` (Markdown or a standalone HTML page)."""
    return render_reference(reference_sections(), fmt)


def rule_reference_body() -> str:
    """The page's sections as HTML, for a page that wraps them (the web app)."""
    return html_body(reference_sections())
