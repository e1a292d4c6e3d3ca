-- One row per observation key (indicator × region × period × basis): the latest
-- vintage wins; every vintage stays in int_observation_vintages_numbered (history).
with

vintages as (

    select * from {{ ref('int_observation_vintages_numbered') }}

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

    from vintages
    where vintage_number = vintage_count

)

select * from final
