"""The reliability diagram saved beside each risk model (``calibration.png``)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from assistant.risk.fit import CalibrationBin


def plot_calibration(bins: Sequence[CalibrationBin], title: str) -> bytes:
    """A reliability diagram (PNG bytes) without touching pyplot's global state."""
    fig = Figure(figsize=(4.5, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(
        [b.mean_predicted for b in bins],
        [b.observed for b in bins],
        marker="o",
        label="held-out bins",
    )
    for b in bins:
        ax.annotate(str(b.count), (b.mean_predicted, b.observed), fontsize=7)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="predicted P(denied or partial)")
    ax.set_ylabel("observed rate")
    ax.set_title(title, fontsize=9)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
