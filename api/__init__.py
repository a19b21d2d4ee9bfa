"""ChartReady HTTP API, CDS Hooks service and minimal provider pages (FastAPI)."""
