{#-
  on-run-start: ["{{ tessera_gate() }}"]

  Fails a dbt run/build before any model runs when a selected model's change would break consumers and
  has no approved proposal. Renders no SQL.
-#}
{% macro tessera_gate() %}
  {{ return(adapter.dispatch('tessera_gate', 'tessera')()) }}
{% endmacro %}

{% macro default__tessera_gate() %}
  {% if execute %}
    {% do tessera.tessera__emit('gate', {}, selected=selected_resources) %}
  {% endif %}
  {{ return('') }}
{% endmacro %}
