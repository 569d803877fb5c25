"""dbt plugin entry point: dbt imports top-level ``dbt_*`` modules; this one delegates to tessera_dbt."""
