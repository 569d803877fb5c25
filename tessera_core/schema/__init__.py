"""Normalizers: every source format to canonical JSON Schema 2020-12."""
