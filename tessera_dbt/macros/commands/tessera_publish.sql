{#-
  dbt run-operation tessera_publish [--args '{select: "tag:core", dry_run: true, fail_on_proposal: true, register: true}']

  Publishes every model of this project that opts in (contract enforced, or meta.tessera.publish: true)
  as one bulk request. The macro only collects; the tessera Python plugin sends and reports.
-#}
{% macro tessera_publish(select=none, dry_run=false, fail_on_proposal=false, register=none) %}
  {{ return(adapter.dispatch('tessera_publish', 'tessera')(select, dry_run, fail_on_proposal, register)) }}
{% endmacro %}

{% macro default__tessera_publish(select, dry_run, fail_on_proposal, register) %}
  {% if execute %}
    {% do tessera.tessera__emit('publish', {
      'select': select, 'dry_run': dry_run, 'fail_on_proposal': fail_on_proposal, 'register': register
    }) %}
  {% endif %}
{% endmacro %}
