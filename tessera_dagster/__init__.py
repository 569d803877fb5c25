"""Tessera for Dagster: resource, translator, blocking contract checks and registration sensors."""
