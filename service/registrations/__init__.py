"""Consumer registrations (on assets, idempotent upsert)."""
