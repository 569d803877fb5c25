"""Append-only audit log (and the outbox event written with every audited change)."""
