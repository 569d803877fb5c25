"""Tessera for dbt: the dbt package (macros) and its Python side (plugin, manifest reader, CLI)."""
