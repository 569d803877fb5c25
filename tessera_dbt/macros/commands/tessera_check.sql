{#-
  dbt run-operation tessera_check [--args '{select: "orders"}']

  Dry run for CI: for each selected model, would it publish, be unchanged, or need a proposal (and is
  one approved)? Fails when a breaking change has no approved proposal.
-#}
{% macro tessera_check(select=none) %}
  {{ return(adapter.dispatch('tessera_check', 'tessera')(select)) }}
{% endmacro %}

{% macro default__tessera_check(select) %}
  {% if execute %}
    {% do tessera.tessera__emit('check', {'select': select}) %}
  {% endif %}
{% endmacro %}
