{#-
  Logs the project payload as JSON between fixed markers at debug level (invisible on the console).
  The tessera Python plugin (module dbt_tessera), or the `tessera dbt` CLI, picks it up, talks to the
  service, prints the per-model summary and fails the operation when it must. Jinja cannot make network
  calls and never sees the API key.
-#}
{% macro tessera__emit(command, options, selected=none) %}
  {% if not env_var('TESSERA_DBT_DELIVERY', '') and var('tessera_require_plugin', true) %}
    {% do exceptions.raise_compiler_error(
      "tessera_" ~ command ~ ": the tessera Python plugin is not loaded, so nothing would reach the service. "
      ~ "Install it in dbt's environment as a regular (non-editable) package: pip install 'tessera[dbt]', "
      ~ "or run `tessera dbt " ~ command ~ "` instead. See docs/dbt.md (troubleshooting)."
    ) %}
  {% endif %}
  {% set payload = tessera.tessera__project_payload(command, options, selected) %}
  {% set encoded = tojson(payload) %}
  {% if encoded is none %}
    {% do exceptions.raise_compiler_error("tessera_" ~ command ~ ": the collected payload is not serializable to JSON") %}
  {% endif %}
  {{ log("tessera " ~ command ~ ": collected project " ~ project_name ~ " (" ~ payload['models'] | length
         ~ " models); sending to Tessera", info=true) }}
  {{ log(tessera.tessera__marker_start() ~ encoded ~ tessera.tessera__marker_end(), info=false) }}
{% endmacro %}

{% macro tessera__marker_start() %}{{ return('--TESSERA-OUTPUT-START--') }}{% endmacro %}
{% macro tessera__marker_end() %}{{ return('--TESSERA-OUTPUT-END--') }}{% endmacro %}
