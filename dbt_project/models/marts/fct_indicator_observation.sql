{{
    config(
        materialized='incremental',
        unique_key='observation_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where observation_id not in (select observation_id from {{ ref('int_observations_deduplicated') }}){% endif %}"
    )
}}
-- Incremental, not the folder's table: a night rewrites only the figures whose latest
-- vintage it has not published yet (a new figure, or a revision: its vintage_count
-- grew), and the pre_hook drops those no longer in int_observations_deduplicated (a run
-- with another as_of_date), so the table always equals a rebuild from it, and a run
-- killed before this model committed leaves it as the night before.
with

observations as (

    select deduplicated.*
    from {{ ref('int_observations_deduplicated') }} as deduplicated
    {% if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as published
            where
                published.observation_id = deduplicated.observation_id
                and published.vintage_count = deduplicated.vintage_count
        )
    {% endif %}

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
