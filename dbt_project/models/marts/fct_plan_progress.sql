-- The scorecard fact. Every plan target appears: a target with no usable
-- observation gets a `no_data` row at the plan's latest evaluation date, so a
-- missing figure is visible rather than silently absent.
with

evaluated as (

    select * from {{ ref('int_plan_progress_evaluated') }}

),

targets as (

    select * from {{ ref('stg_catalog__plan_targets') }}

),

plans as (

    select * from {{ ref('stg_catalog__plans') }}

),

statuses as (

    select * from {{ ref('stg_catalog__progress_statuses') }}

),

observations as (

    select * from {{ ref('int_observations_deduplicated') }}

),

data_bounds as (

    select max(period_end_date) as latest_data_date from observations

),

plan_dates as (

    select
        plans.plan_code,
        plans.start_year,
        plans.end_year,
        -- A plan without any evaluated row is judged at the latest data received,
        -- capped to its own period (a finished plan at its end date).
        coalesce(
            max(evaluated.as_of_date),
            least(
                greatest(max(data_bounds.latest_data_date), plans.plan_start_date),
                plans.plan_end_date
            ),
            plans.plan_start_date
        ) as latest_as_of_date

    from plans
    cross join data_bounds
    left join evaluated on plans.plan_code = evaluated.plan_code
    group by
        plans.plan_code, plans.start_year, plans.end_year, plans.plan_start_date, plans.plan_end_date

),

without_data as (

    select
        targets.plan_code,
        targets.indicator_code,
        targets.region_code,
        targets.target_kind,
        targets.attribute,
        targets.unit,
        cast(null as varchar) as observation_period_code,
        'no_data' as status,
        'no usable observation' as status_reason,
        targets.direction,
        targets.baseline_value,
        targets.target_value,
        cast(null as double) as actual_value,
        cast(null as double) as attainment_ratio,
        cast(null as double) as baseline_progress,
        {{ time_elapsed_ratio('plan_dates.latest_as_of_date', 'plan_dates.start_year', 'plan_dates.end_year') }}
            as time_elapsed_ratio,
        cast(null as double) as pace_ratio,
        cast(null as double) as pace_gap_pp,
        cast(null as boolean) as is_compliant,
        cast(null as integer) as breaches_so_far,
        cast(null as double) as expected_value,
        cast(null as double) as gap_to_expected,
        cast(null as double) as projected_end_value,
        cast(null as double) as projected_attainment,
        cast(null as date) as projected_completion_date,
        cast(null as double) as headroom,
        false as is_ahead,
        cast(null as varchar) as evidence_source,
        plan_dates.latest_as_of_date as as_of_date

    from targets
    inner join plan_dates on targets.plan_code = plan_dates.plan_code
    where targets.is_current and not exists (
        select 1
        from evaluated
        where
            evaluated.plan_code = targets.plan_code
            and evaluated.indicator_code = targets.indicator_code
            and evaluated.region_code = targets.region_code
    )

),

all_rows as (

    select * from evaluated
    union all
    select * from without_data

),

final as (

    select
        all_rows.plan_code,
        all_rows.indicator_code,
        all_rows.region_code,
        all_rows.target_kind,
        all_rows.attribute,
        all_rows.unit,
        all_rows.observation_period_code,
        all_rows.status,
        case
            when all_rows.status = 'on_track' and all_rows.is_ahead then '快于预期'
            else statuses.status_zh
        end as status_zh,
        all_rows.status_reason,
        all_rows.direction,
        all_rows.baseline_value,
        all_rows.target_value,
        all_rows.actual_value,
        all_rows.attainment_ratio,
        all_rows.baseline_progress,
        all_rows.time_elapsed_ratio,
        all_rows.pace_ratio,
        all_rows.pace_gap_pp,
        all_rows.is_compliant,
        all_rows.breaches_so_far,
        all_rows.expected_value,
        all_rows.gap_to_expected,
        all_rows.projected_end_value,
        all_rows.projected_attainment,
        all_rows.projected_completion_date,
        all_rows.headroom,
        all_rows.is_ahead,
        -- Who needs to hear about it: any non-good status of a binding (约束性) target
        -- is high; a lagging, regressing, breached or missed expected (预期性) one
        -- medium; one that needs acceleration or is at risk, low.
        case
            when statuses.is_good or all_rows.status in ('no_data', 'too_early') then null
            when all_rows.attribute = 'binding' then 'high'
            when all_rows.status in ('lagging', 'regressing', 'breached', 'not_achieved') then 'medium'
            else 'low'
        end as severity,
        all_rows.evidence_source,
        row_number() over (
            partition by all_rows.plan_code, all_rows.indicator_code, all_rows.region_code
            order by all_rows.as_of_date desc
        ) = 1 as is_latest,
        all_rows.as_of_date

    from all_rows
    inner join statuses on all_rows.status = statuses.status_code

)

select * from final
