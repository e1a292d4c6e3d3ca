{#- 完成度 of a value x against the target T: x/T when higher is better, T/x when lower
    is better; for totals and annual tasks always x/T (the share of the flow done).
    Used for the actual value and for its projection alike. -#}
{% macro attainment_ratio(value) -%}
    case
        when {{ value }} is null or target_value is null then null
        when target_kind in ('cumulative', 'annual') then {{ value }} / nullif(target_value, 0)
        when direction = -1 then target_value / nullif({{ value }}, 0)
        else {{ value }} / nullif(target_value, 0)
    end
{%- endmacro %}
