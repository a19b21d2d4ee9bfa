"""ChartReady: documentation readiness for interventional pain management notes."""

__version__ = "0.1.0"
