{#- Use the folder's schema name as is (raw, staging, intermediate, marts, catalog)
    instead of dbt's default "<target schema>_<custom>": BI tools and the
    warehouse contract refer to `marts.fct_plan_progress`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
