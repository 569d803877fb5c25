{#-
  The whole project as Tessera needs it: one record per model of the root project (with its dbt model
  document), the upstream sources / other-package models they read, and the tessera_* vars. Opt-in,
  selection, FQNs and owners are resolved on the Python side (tessera_dbt.items), so the macros and the
  manifest reader (tessera_dbt.manifest) only have to agree on this shape.
-#}
{% macro tessera__project_payload(command, options, selected=none) %}
  {#- One pass over graph.nodes: dbt materializes each node on access, which dominates on big projects. -#}
  {% set owners = {} %}
  {% for group in graph.groups.values() %}
    {% do owners.update({group.package_name ~ '.' ~ group.name: group.owner}) %}
  {% endfor %}
  {% set tests = {} %}
  {% set project_models = [] %}
  {% set other_models = {} %}
  {% for node in graph.nodes.values() %}
    {% if node.resource_type == 'model' %}
      {% if node.package_name == project_name %}
        {% do project_models.append(node) %}
      {% else %}
        {% do other_models.update({node.unique_id: node}) %}
      {% endif %}
    {% elif node.resource_type == 'test' and node.get('test_metadata') and node.get('attached_node') and node.get('column_name') %}
      {#- a generic data test on a column, keyed "<model unique_id>|<lowercase column name>" -#}
      {% set key = node.attached_node ~ '|' ~ (node.column_name | lower) %}
      {% set entry = {'name': node.test_metadata.name} %}
      {% for arg, value in (node.test_metadata.kwargs or {}).items() if arg not in ('column_name', 'model') %}
        {% do entry.update({arg: value}) %}
      {% endfor %}
      {% if key not in tests %}
        {% do tests.update({key: []}) %}
      {% endif %}
      {% do tests[key].append(entry) %}
    {% endif %}
  {% endfor %}
  {% set build_document = adapter.dispatch('tessera_model_document', 'tessera') %}
  {% set models = [] %}
  {% set upstreams = {} %}
  {% for node in project_models %}
    {% do models.append(tessera.tessera__model_record(node, owners, build_document(node, tests))) %}
    {% for uid in node.depends_on.nodes if uid not in upstreams %}
      {% if uid in other_models %}
        {% do upstreams.update({uid: tessera.tessera__upstream_record(other_models[uid])}) %}
      {% elif uid.startswith('source.') and uid in graph.sources %}
        {% do upstreams.update({uid: tessera.tessera__upstream_record(graph.sources[uid])}) %}
      {% endif %}
    {% endfor %}
  {% endfor %}
  {{ return({
    'tessera_payload': 1,
    'command': command,
    'project': project_name,
    'target': target.name,
    'adapter': target.type,
    'invocation_id': invocation_id,
    'options': options,
    'vars': {
      'team': var('tessera_team', none),
      'mode': var('tessera_mode', none),
      'publish_contracted': var('tessera_publish_contracted', true),
      'register_on_publish': var('tessera_register_on_publish', false),
    },
    'selected': selected,
    'models': models,
    'upstreams': upstreams,
  }) }}
{% endmacro %}

{% macro tessera__meta(node) %}
  {% set config_meta = (node.get('config') or {}).get('meta') or {} %}
  {{ return(config_meta.get('tessera') or (node.get('meta') or {}).get('tessera') or {}) }}
{% endmacro %}

{% macro tessera__model_record(node, owners, document) %}
  {% set group_owner = owners.get(node.package_name ~ '.' ~ node.group) if node.group else none %}
  {{ return({
    'unique_id': node.unique_id,
    'name': node.name,
    'package_name': node.package_name,
    'path': node.original_file_path,
    'version': node.version,
    'latest_version': node.latest_version,
    'deprecation_date': node.deprecation_date,
    'access': node.access,
    'group': node.group,
    'group_owner': group_owner,
    'relation': {'database': node.database, 'schema': node.schema, 'identifier': node.alias},
    'tags': node.tags,
    'tessera': tessera.tessera__meta(node),
    'depends_on': node.depends_on.nodes,
    'document': document,
  }) }}
{% endmacro %}

{% macro tessera__upstream_record(node) %}
  {% set columns = [] %}
  {% for column in node.columns.values() %}
    {% do columns.append({'name': column.name, 'meta': column.meta}) %}
  {% endfor %}
  {{ return({
    'unique_id': node.unique_id,
    'resource_type': node.resource_type,
    'name': node.name,
    'package_name': node.package_name,
    'relation': {
      'database': node.database,
      'schema': node.schema,
      'identifier': node.identifier if node.resource_type == 'source' else node.alias,
    },
    'tessera': tessera.tessera__meta(node),
    'contract_enforced': (node.get('contract') or {}).get('enforced', false),
    'access': node.get('access'),
    'columns': columns,
  }) }}
{% endmacro %}
