"""How the rule reference page shows rules: :class:`RuleDoc`/:class:`SectionDoc`, rendered.

Each rule set describes itself as sections (``assistant.checks.reference``,
``assistant.em.reference``, ``assistant.preauth.reference``); ``assistant.rule_reference``
joins them, and this module renders the page as Markdown or HTML (the web app's ``/rules``
page embeds :func:`html_body`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from assistant.findings import SourceRef

Format = Literal["markdown", "html"]
TITLE = "ChartReady rule reference"


@dataclass(frozen=True)
class RuleDoc:
    """One rule as the reference page shows it."""

    id: str
    symbol: str
    title: str
    severity: str
    status: str
    applies: str
    checks: str
    source: SourceRef
    fix: str
    examples: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SectionDoc:
    """A checklist (or the coding table) with its rules."""

    id: str
    title: str
    scope: str
    frame: str | None
    rules: tuple[RuleDoc, ...]


def _source_text(source: SourceRef) -> str:
    section = f", {source.section}" if source.section else ""
    return f"{source.policy}{section} [{source.basis}]"


def one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.strip().splitlines())


def _markdown(sections: list[SectionDoc]) -> str:
    lines = [
        f"# {TITLE}",
        "",
        "Generated from `checklists/` and the E/M rules by `chartready checklists docs`.",
        "",
    ]
    for section in sections:
        lines += [f"## {section.id}: {section.title}", "", f"Applies to: {section.scope}.", ""]
        if section.frame:
            lines += ["Example note frame:", "", "```", section.frame.rstrip(), "```", ""]
        for rule in section.rules:
            lines += [
                f"### {rule.id} `{rule.symbol}`: {rule.title}",
                "",
                f"- Severity: {rule.severity} ({rule.status})",
                f"- Applies: {rule.applies}",
                f"- Checks: {rule.checks}",
                f"- Source: {_source_text(rule.source)}"
                + (f" <{rule.source.url}>" if rule.source.url else ""),
                f"- Fix: {rule.fix}",
            ]
            lines += [f"- Example ({label}): {one_line(text)}" for label, text in rule.examples]
            lines.append("")
    return "\n".join(lines)


def html_body(sections: list[SectionDoc]) -> str:
    """The page's sections as HTML (every text escaped), for a page that wraps them."""
    esc = html.escape
    out = [f'<nav aria-label="Rule sets"><ul>{_html_index(sections)}</ul></nav>']
    for section in sections:
        out.append(f'<section id="{esc(section.id)}"><h2>{esc(section.title)}</h2>')
        out.append(f"<p>Applies to: {esc(section.scope)}.</p>")
        if section.frame:
            out.append(f"<p>Example note frame:</p><pre>{esc(section.frame)}</pre>")
        for rule in section.rules:
            source = esc(_source_text(rule.source))
            if rule.source.url:
                source += f' <a href="{esc(rule.source.url)}">{esc(rule.source.url)}</a>'
            rows = [
                ("Severity", esc(f"{rule.severity} ({rule.status})")),
                ("Applies", esc(rule.applies)),
                ("Checks", esc(rule.checks)),
                ("Source", source),
                ("Fix", esc(rule.fix)),
                *(
                    (f"Example ({esc(label)})", f"<pre>{esc(text)}</pre>")
                    for label, text in rule.examples
                ),
            ]
            out.append(
                f'<article id="{esc(rule.id)}"><h3>{esc(rule.id)} '
                f"<code>{esc(rule.symbol)}</code>: {esc(rule.title)}</h3><dl>"
            )
            out.extend(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)
            out.append("</dl></article>")
        out.append("</section>")
    return "\n".join(out)


def _html_index(sections: list[SectionDoc]) -> str:
    return "".join(
        f'<li><a href="#{html.escape(s.id)}">{html.escape(s.title)}</a></li>' for s in sections
    )


def _html(sections: list[SectionDoc]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>{TITLE}</title></head><body>",
            f"<h1>{TITLE}</h1>",
            html_body(sections),
            "</body></html>",
        ]
    )


def render_reference(sections: list[SectionDoc], fmt: Format = "markdown") -> str:
    """The whole rule reference page in ``fmt`` (Markdown or a standalone HTML page)."""
    return _markdown(sections) if fmt == "markdown" else _html(sections)
