"""ChartReady HTTP API, CDS Hooks service and staff web pages (FastAPI)."""
