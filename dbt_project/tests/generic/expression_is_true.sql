{#- Rows for which a boolean expression does not hold (as in dbt_utils). -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
