-- Every delivered figure (vintage) of each observation key, numbered in order of
-- arrival: vintage_number 1 is the figure as first published, vintage_count the
-- last. Limited to var('as_of_date') when set (`hrss run --as-of`: evaluate as if
-- later figures had not arrived).
with

observations as (

    select * from {{ ref('stg_raw__observations') }}

),

in_scope as (

    select *
    from observations
    {% if var('as_of_date') %}
        where period_end_date <= cast('{{ var("as_of_date") }}' as date)
    {% endif %}

),

final as (

    select
        *,
        cast(row_number() over arrival as integer) as vintage_number,
        count(*) over key_rows as vintage_count,
        first_value(observed_value) over arrival as first_published_value,
        first_value(batch_id) over arrival as first_published_batch_id

    from in_scope
    window
        key_rows as (partition by indicator_code, region_code, period_code, basis),
        arrival as (
            key_rows
            order by received_at asc, file_name asc, row_number asc, column_label asc
        )

)

select * from final
