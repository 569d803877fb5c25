"""Tessera provider for Apache Airflow: hook, deferrable proposal sensor, operators and listener."""
