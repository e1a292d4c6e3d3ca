{#- The composite-key uniqueness test (as in dbt_utils, which cannot be installed
    offline): returns the key combinations that occur more than once. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
