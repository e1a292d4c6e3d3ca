-- One row per observation key (indicator × region × period × basis): the latest
-- vintage wins; every vintage stays in int_observation_vintages_numbered (history).
-- Limited to var('as_of_date') when set (`hrss run --as-of`: evaluate as if later
-- figures had not arrived).
with

vintages as (

    select * from {{ ref('int_observation_vintages_numbered') }}

),

in_scope as (

    select
        *,
        max(vintage_number) over key_rows as last_vintage_number,
        count(*) over key_rows as vintage_count

    from vintages
    {% if var('as_of_date') %}
        where period_end_date <= cast('{{ var("as_of_date") }}' as date)
    {% endif %}
    window key_rows as (partition by indicator_code, region_code, period_code, basis)

),

final as (

    select
        md5(indicator_code || '|' || region_code || '|' || period_code || '|' || basis) as observation_id,
        indicator_code,
        region_code,
        period_code,
        period_grain,
        basis,
        unit,
        value_as_reported,
        unit_as_reported,
        source_text,
        note_text,
        file_name,
        file_sha256,
        row_number,
        sheet_name,
        column_label,
        batch_id,
        observed_value,
        first_published_value,
        first_published_batch_id,
        vintage_count,
        period_start_date,
        period_end_date,
        received_at

    from in_scope
    where vintage_number = last_vintage_number

)

select * from final
