{#-
  dbt run-operation tessera_register [--args '{select: "customer_orders"}']

  Registers this project as a consumer of the upstream assets it reads: sources, cross-project refs and
  meta.tessera.consumes. Idempotent.
-#}
{% macro tessera_register(select=none) %}
  {{ return(adapter.dispatch('tessera_register', 'tessera')(select)) }}
{% endmacro %}

{% macro default__tessera_register(select) %}
  {% if execute %}
    {% do tessera.tessera__emit('register', {'select': select}) %}
  {% endif %}
{% endmacro %}
