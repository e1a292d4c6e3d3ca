{#- 时序进度 e = months from plan start to the reference date / months in the plan.
    End of 2024 in a 2021–2025 plan: (3 * 12 + 12) / 60 = 0.8. -#}
{% macro time_elapsed_ratio(as_of_date, start_year, end_year) -%}
    cast(
        (extract(year from {{ as_of_date }}) - {{ start_year }}) * 12
        + extract(month from {{ as_of_date }}) as float8
    ) / (({{ end_year }} - {{ start_year }} + 1) * 12)
{%- endmacro %}
