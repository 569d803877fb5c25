{#-
  The "dbt" model document Tessera normalizes on the server (see docs/dbt.md): columns with their raw
  data_type, constraints, attached data tests and meta; model constraints; description. Dispatched so an
  adapter package can adjust it (e.g. to spell types differently).
-#}
{% macro tessera_model_document(node, tests) %}
  {{ return(adapter.dispatch('tessera_model_document', 'tessera')(node, tests)) }}
{% endmacro %}

{% macro default__tessera_model_document(node, tests) %}
  {% set columns = [] %}
  {% for column in node.columns.values() %}
    {% do columns.append({
      'name': column.name,
      'data_type': column.data_type,
      'description': column.description,
      'constraints': tessera.tessera__constraints(column.constraints) if column.constraints else [],
      'tests': tests.get(node.unique_id ~ '|' ~ (column.name | lower), []),
      'meta': column.meta,
    }) %}
  {% endfor %}
  {{ return({
    'name': node.name,
    'adapter': target.type,
    'contract_enforced': node.contract.enforced,
    'materialized': node.config.materialized,
    'columns': columns,
    'constraints': tessera.tessera__constraints(node.constraints),
    'description': node.description,
  }) }}
{% endmacro %}

{% macro tessera__constraints(constraints) %}
  {% set out = [] %}
  {% for constraint in constraints %}
    {% set entry = {'type': constraint.type} %}
    {% for key in ['expression', 'name', 'columns', 'to', 'to_columns'] if constraint.get(key) %}
      {% do entry.update({key: constraint[key]}) %}
    {% endfor %}
    {% do out.append(entry) %}
  {% endfor %}
  {{ return(out) }}
{% endmacro %}
