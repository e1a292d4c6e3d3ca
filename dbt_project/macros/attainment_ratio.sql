{#- 目标完成率 of a value x against the target T: x/T when higher is better, T/x when
    lower is better; for totals and annual tasks always x/T (the share of the flow done).
    None for a ceiling or floor held every period (城镇登记失业率 ≤3 at 1.7 is not "176 %"):
    its compliance and headroom say how it stands. A level to maintain (a plain target
    equal to its baseline, 党政人才 34 → 34) keeps x/T, as the plan documents print it
    (002 L776: 32.5/34, “95.6%完成”). Used for the actual value and for its projection alike. -#}
{% macro attainment_ratio(value) -%}
    case
        when {{ value }} is null or target_value is null then null
        when target_kind = 'bound_max' then null
        when
            target_kind = 'bound_min'
            and (target_comparator not in ('', '~') or baseline_value is distinct from target_value)
            then null
        when target_kind in ('cumulative', 'annual') then {{ value }} / nullif(target_value, 0)
        when direction = -1 then target_value / nullif({{ value }}, 0)
        else {{ value }} / nullif(target_value, 0)
    end
{%- endmacro %}
