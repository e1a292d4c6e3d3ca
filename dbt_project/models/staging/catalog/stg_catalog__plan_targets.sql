with

source as (

    select * from {{ ref('plan_indicators') }}

),

plans as (

    select * from {{ ref('plans') }}

),

thresholds as (

    select * from {{ ref('status_thresholds') }}

),

renamed as (

    select
        source.plan_code,
        source.indicator_code,
        -- A plan's targets are set for the plan's own region.
        plans.region_code,
        source.parent_indicator_code,
        source.indicator_name_as_written,
        source.unit,
        source.target_kind,
        -- A catalog written before the column existed has straight-line targets.
        coalesce(source.trajectory_shape, 'linear') as trajectory_shape,
        source.attribute,
        coalesce(source.baseline_comparator, '') as baseline_comparator,
        source.baseline_notation,
        coalesce(source.target_comparator, '') as target_comparator,
        source.target_notation,
        source.result_notation,
        source.source_ref,
        source.note as note_text,
        source.indicator_seq,
        -- A row without an effective date is the plan's original version.
        coalesce(source.effective_from_date, make_date(plans.start_year, 1, 1)) as effective_from_date,
        -- A version is in force until the day before the next version of the same target.
        cast(
            lead(coalesce(source.effective_from_date, make_date(plans.start_year, 1, 1))) over (
                partition by source.plan_code, source.indicator_code, plans.region_code
                order by coalesce(source.effective_from_date, make_date(plans.start_year, 1, 1))
            ) - interval '1 day' as date
        ) as effective_to_date,
        source.direction,
        source.baseline_year,
        source.baseline_value,
        source.target_year,
        source.target_value,
        source.target_growth_rate,
        source.result_year,
        source.result_value,
        -- The bureau's own status cut-offs for this indicator (null: project default).
        thresholds.on_track_min_pace,
        thresholds.needs_acceleration_min_pace,
        thresholds.ahead_min_pace,
        thresholds.at_risk_headroom,
        thresholds.about_band_share

    from source
    inner join plans on source.plan_code = plans.plan_code
    left join thresholds on source.indicator_code = thresholds.indicator_code

),

final as (

    select
        *,
        effective_to_date is null as is_current

    from renamed

)

select * from final
