with

observations as (

    select * from {{ ref('int_observations_deduplicated') }}

),

flags as (

    select * from {{ ref('int_observation_flags_aggregated') }}

),

final as (

    select
        observations.observation_id,
        observations.indicator_code,
        observations.region_code,
        observations.period_code,
        observations.file_sha256,
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
        -- Relative change from the figure as first published to the latest vintage.
        case
            when observed_value != first_published_value and first_published_value != 0
                then (observed_value - first_published_value) / abs(first_published_value)
        end as revision_ratio,
        -- A figure published by an earlier run and now revised by more than the
        -- tolerance: analysts may already have quoted it, so it is flagged for alerts.
        coalesce(
            batch_id != first_published_batch_id
            and observed_value != first_published_value
            and (
                first_published_value = 0
                or abs(observed_value - first_published_value) / abs(first_published_value)
                > {{ var('revision_tolerance') }}
            ),
            false
        ) as is_material_revision,
        sheet_name as source_sheet_name,
        column_label as source_column_label,
        -- Published with a validation warning (GX severity warning): what it says.
        flags.validation_flags,
        flags.validation_flags is not null as has_validation_warning,
        observations.period_start_date,
        observations.period_end_date,
        received_at

    from observations
    left join flags on observations.observation_id = flags.observation_id

)

select * from final
