{#- Use the folder's schema name as is (raw, staging, intermediate, marts, catalog)
    instead of dbt's default "<target schema>_<custom>": BI tools and the
    warehouse contract refer to `marts.fct_plan_progress`. On the PostgreSQL target
    the run builds the marts under HRSS_DBT_MARTS_SCHEMA (marts__incoming), which
    BI never reads, and swaps it in once audited (write-audit-publish). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}{{ env_var('HRSS_DBT_MARTS_SCHEMA', 'marts') }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
