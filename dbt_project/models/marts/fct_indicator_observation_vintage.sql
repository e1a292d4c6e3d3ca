-- Every figure ever delivered for an observation key, oldest first: the revision
-- history behind fct_indicator_observation (which holds the latest vintage).
with

numbered as (

    select * from {{ ref('int_observation_vintages_numbered') }}

),

final as (

    select
        md5(
            file_sha256 || '|' || coalesce(sheet_name, '') || '|' || row_number || '|'
            || coalesce(column_label, '')
        ) as vintage_id,
        md5(indicator_code || '|' || region_code || '|' || period_code || '|' || basis) as observation_id,
        indicator_code,
        region_code,
        period_code,
        basis,
        vintage_number,
        cast(vintage_count as integer) as vintage_count,
        vintage_number = 1 as is_first_published,
        vintage_number = vintage_count as is_latest,
        observed_value as value,
        first_published_value,
        observed_value - first_published_value as change_from_first_published,
        value_as_reported,
        unit_as_reported,
        batch_id,
        file_name,
        file_sha256,
        sheet_name as source_sheet_name,
        row_number as source_row_number,
        column_label as source_column_label,
        received_at

    from numbered

)

select * from final
