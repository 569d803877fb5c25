"""The Tessera coordination service (FastAPI + SQLAlchemy 2)."""
