"""The ``tessera`` command line: one entry point, one module per command group.

Command modules import heavy libraries (the service, dbt) inside their handlers only, so
``tessera --help`` stays fast and never imports dbt, Dagster or Airflow.
"""
