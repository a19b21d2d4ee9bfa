"""Audit charts with matplotlib (Agg backend): readiness, risk bands, trend, copied notes."""

from __future__ import annotations

import io
from collections import defaultdict
from typing import Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from assistant.audit.clones import part_name
from assistant.audit.report import BANDS, AuditReport
from assistant.store.clone_tables import WHOLE_NOTE

ChartKind = Literal["readiness", "risk", "trend", "clones"]
ChartFormat = Literal["png", "svg"]
CHART_KINDS: tuple[ChartKind, ...] = ("readiness", "risk", "trend", "clones")
# Colour-blind-safe (Okabe-Ito) colours for the low/medium/high bands.
_BAND_COLOURS = {"low": "#009E73", "medium": "#E69F00", "high": "#D55E00"}
# The same palette for the parts of a note (any other section: grey).
_PART_COLOURS = {
    WHOLE_NOTE: "#0072B2",
    "history_of_present_illness": "#56B4E9",
    "review_of_systems": "#CC79A7",
    "physical_exam": "#E69F00",
    "observation_and_plan": "#009E73",
}
_OTHER_PART = "#999999"
# A bar chart keeps room for this many providers, so one provider is a bar, not a block.
MIN_BAR_SLOTS = 3


def _provider_rows(ax: Axes, count: int) -> None:
    """First provider on top; fewer than ``MIN_BAR_SLOTS`` bars stay bar-thick and centred."""
    spare = max(MIN_BAR_SLOTS - count, 0) / 2
    ax.set_ylim(count - 0.5 + spare, -0.5 - spare)


def _whole_number_ticks(ax: Axes) -> None:
    """Counts of notes on the x axis: ticks at 0, 1, 2..., never 0.5 of a note."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def readiness_figure(report: AuditReport) -> Figure:
    """Bar chart: share of sampled notes ready to bill, per provider."""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    providers = [s.provider for s in report.by_provider]
    rates = [100 * s.readiness_rate for s in report.by_provider]
    ax.barh(providers, rates, color="#0072B2")
    for y, (rate, summary) in enumerate(zip(rates, report.by_provider, strict=True)):
        ax.text(rate + 1, y, f"{rate:.0f}% of {summary.n}", va="center", fontsize=8)
    ax.set_xlim(0, 115)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("ready as documented (%)")
    ax.set_title(f"Readiness by provider, {report.month}")
    _provider_rows(ax, len(providers))
    fig.tight_layout()
    return fig


def risk_figure(report: AuditReport) -> Figure:
    """Stacked bars: sampled notes per risk band, per provider."""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    providers = [s.provider for s in report.by_provider]
    left = [0] * len(providers)
    for band in BANDS:
        counts = [s.bands.get(band, 0) for s in report.by_provider]
        ax.barh(providers, counts, left=left, color=_BAND_COLOURS[band], label=band)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    _whole_number_ticks(ax)
    ax.set_xlabel("sampled notes")
    ax.set_title(f"Denial-risk bands, {report.month}")
    ax.legend(title="risk", fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _provider_rows(ax, len(providers))
    fig.tight_layout()
    return fig


def trend_figure(report: AuditReport) -> Figure:
    """Lines: readiness of all checked notes per month, per provider."""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for point in report.trend:
        series[point.provider].append((point.month, 100 * point.readiness_rate))
    for provider, points in sorted(series.items()):
        ax.plot([m for m, _ in points], [r for _, r in points], marker="o", label=provider)
        month, rate = points[-1]  # the latest value in words: one point alone is readable
        ax.annotate(f"{rate:.0f}%", (month, rate), textcoords="offset points", xytext=(6, 4))
    ax.set_ylim(-5, 110)  # a 0 % point sits above the axis, not on it
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("ready (%)")
    ax.set_title("Readiness month over month (all checked notes)")
    if series:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def clones_figure(report: AuditReport) -> Figure:
    """Grouped bars: per provider, the share of each part of the note repeating an earlier one.

    Whole notes count when they are near-copies, sections when identical, over every note
    of the month (not only the sample), as in the report's copied-documentation table.
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    providers = sorted({s.provider for s in report.clone_shares})
    row = {provider: y for y, provider in enumerate(providers)}
    parts = list(dict.fromkeys(s.part for s in report.clone_shares))  # in report order
    height = 0.8 / max(len(parts), 1)
    for index, part in enumerate(parts):
        shares = [s for s in report.clone_shares if s.part == part]
        ys = [row[s.provider] - 0.4 + height * (index + 0.5) for s in shares]
        rates = [100 * s.share for s in shares]
        colour = _PART_COLOURS.get(part, _OTHER_PART)
        label = "whole notes" if part == WHOLE_NOTE else part_name(part)
        ax.barh(ys, rates, height=height, color=colour, label=label)
        for y, rate, share in zip(ys, rates, shares, strict=True):
            ax.text(rate + 1, y, f"{rate:.0f}% of {share.notes}", va="center", fontsize=7)
    ax.set_yticks(range(len(providers)), providers)
    ax.set_xlim(0, 125)  # room for "100% of 30" beside a full bar, left of the legend
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("repeat an earlier note (%)")
    ax.set_title(f"Copied documentation by provider, {report.month}")
    if parts:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _provider_rows(ax, len(providers))
    fig.tight_layout()
    return fig


_FIGURES = {
    "readiness": readiness_figure,
    "risk": risk_figure,
    "trend": trend_figure,
    "clones": clones_figure,
}


def render_chart(report: AuditReport, kind: ChartKind, fmt: ChartFormat = "png") -> bytes:
    """One chart of ``report`` as PNG or SVG bytes."""
    fig = _FIGURES[kind](report)
    buffer = io.BytesIO()
    # A fixed SVG hash salt and no date metadata make the output reproducible.
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with plt.rc_context({"svg.hashsalt": "chartready"}):
        fig.savefig(buffer, format=fmt, dpi=110, metadata=metadata)
    plt.close(fig)
    return buffer.getvalue()
