with

observations as (

    select * from {{ ref('int_observations_deduplicated') }}

),

final as (

    select
        observation_id,
        indicator_code,
        region_code,
        period_code,
        file_sha256,
        period_grain,
        basis,
        unit,
        value_as_reported,
        unit_as_reported,
        source_text,
        note_text,
        file_name,
        row_number as source_row_number,
        observed_value as value,
        first_published_value,
        vintage_count,
        observed_value != first_published_value as is_revised,
        period_start_date,
        period_end_date,
        received_at

    from observations

)

select * from final
