-- The scorecard fact: one row per plan target × region × month-end, from the plan's
-- start through the latest month with data. A month shows the latest evaluation at
-- or before it (reference_date: the period end of the figure it rests on); months
-- before any figure, and targets without one, are `no_data` — a missing figure is
-- visible rather than silently absent.
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

observation_flags as (

    select * from {{ ref('int_observation_flags_aggregated') }}

),

flagged_dates as (

    -- Validation warnings on the delivered figures of a date (every basis).
    select
        indicator_code,
        region_code,
        period_end_date,
        string_agg(validation_flags, '；' order by validation_flags) as validation_flags

    from observation_flags
    group by indicator_code, region_code, period_end_date

),

data_bounds as (

    select max(period_end_date) as latest_data_date from observations

),

evaluated_bounds as (

    -- A finished plan judged on its printed results has evaluations even when no
    -- figure was ever delivered: its months run at least to them.
    select plan_code, max(as_of_date) as last_evaluated_date
    from evaluated
    group by plan_code

),

evaluated_spans as (

    -- Each evaluation stands for its own month and the months after it, up to the month
    -- before the next evaluation of the same target (to the plan's end for the last).
    -- Keys only: the evaluation's ~40 columns join once per month in all_rows, so no
    -- window or join below holds millions of wide rows (a bounded build at national scale).
    select
        evaluated.plan_code,
        evaluated.indicator_code,
        evaluated.region_code,
        evaluated.as_of_date,
        cast(date_trunc('month', cast(evaluated.as_of_date as timestamp)) as timestamp) as first_month,
        cast(coalesce(
            date_trunc('month', cast(lead(evaluated.as_of_date) over target_series as timestamp)) - interval '1 month',
            date_trunc('month', cast(plans.plan_end_date as timestamp))
        ) as timestamp) as last_month

    from evaluated
    inner join plans on evaluated.plan_code = plans.plan_code
    window target_series as (
        partition by evaluated.plan_code, evaluated.indicator_code, evaluated.region_code
        order by evaluated.as_of_date
    )

),

evaluated_months as (

    select
        evaluated_spans.plan_code,
        evaluated_spans.indicator_code,
        evaluated_spans.region_code,
        evaluated_spans.as_of_date,
        cast(last_day(cast(span_months.month_start as date)) as date) as month_end_date

    from evaluated_spans
    cross join lateral (
        select month_start
        from generate_series(evaluated_spans.first_month, evaluated_spans.last_month, interval '1 month')
            as series (month_start)
    ) as span_months

),

evaluated_keys as (

    -- Targets with any evaluation at all: the others have had no figure yet (the first
    -- night of a deployment, a plan imported before its data), which their reason says.
    select distinct plan_code, indicator_code, region_code
    from evaluated_spans

),

months as (

    -- Every month-end of each current target's plan, from its start through the
    -- latest month with data (a finished plan through its end; a plan that has not
    -- started yet keeps its first month, so no target is ever absent).
    select
        targets.plan_code,
        targets.indicator_code,
        targets.region_code,
        targets.target_kind,
        targets.trajectory_shape,
        targets.attribute,
        targets.unit,
        targets.direction,
        targets.baseline_value,
        targets.target_value,
        targets.target_comparator,
        plans.start_year,
        plans.end_year,
        cast(last_day(cast(month_start as date)) as date) as as_of_date

    from targets
    inner join plans on targets.plan_code = plans.plan_code
    cross join data_bounds
    left join evaluated_bounds on targets.plan_code = evaluated_bounds.plan_code
    cross join lateral (
        select month_start
        from generate_series(
            cast(plans.plan_start_date as timestamp),
            cast(greatest(
                least(coalesce(data_bounds.latest_data_date, plans.plan_start_date), plans.plan_end_date),
                coalesce(evaluated_bounds.last_evaluated_date, plans.plan_start_date),
                plans.plan_start_date
            ) as timestamp),
            interval '1 month'
        ) as series (month_start)
    ) as plan_months
    where targets.is_current

),

latest_months as (

    -- Each target's last month-end (its is_latest row), from the narrow month list.
    select plan_code, indicator_code, region_code, max(as_of_date) as latest_as_of_date
    from months
    group by plan_code, indicator_code, region_code

),

month_evaluations as materialized (

    -- Each month with the date of the evaluation whose span holds it (the latest at or
    -- before it: an as-of join as an equality join, which DuckDB and PostgreSQL run in one
    -- pass), whether its target has any, and whether it is the target's latest month.
    -- Narrow and materialised on its own: the one join with the evaluations' ~36 columns
    -- (all_rows) is then the only large hash table of the query, which keeps
    -- fct_plan_progress within 3GB at national scale (docs/benchmarks.md).
    select
        months.*,
        evaluated_months.as_of_date as evaluation_date,
        evaluated_keys.plan_code is not null as has_evaluation,
        months.as_of_date = latest_months.latest_as_of_date as is_latest

    from months
    inner join latest_months
        on
            months.plan_code = latest_months.plan_code
            and months.indicator_code = latest_months.indicator_code
            and months.region_code = latest_months.region_code
    left join evaluated_months
        on
            months.plan_code = evaluated_months.plan_code
            and months.indicator_code = evaluated_months.indicator_code
            and months.region_code = evaluated_months.region_code
            and months.as_of_date = evaluated_months.month_end_date
    left join evaluated_keys
        on
            months.plan_code = evaluated_keys.plan_code
            and months.indicator_code = evaluated_keys.indicator_code
            and months.region_code = evaluated_keys.region_code

),

all_rows as (

    -- Each month shows the latest evaluation at or before it; its time share stays
    -- the one of the figure's own reference date (never the month, never the run date).
    select
        months.plan_code,
        months.indicator_code,
        months.region_code,
        coalesce(evaluated.target_kind, months.target_kind) as target_kind,
        coalesce(evaluated.trajectory_shape, months.trajectory_shape) as trajectory_shape,
        coalesce(evaluated.attribute, months.attribute) as attribute,
        coalesce(evaluated.unit, months.unit) as unit,
        evaluated.observation_period_code,
        coalesce(evaluated.status, 'no_data') as status,
        coalesce(
            evaluated.status_reason,
            case
                when not months.has_evaluation
                    then 'no figure received yet (fct_expected_release lists what is due when)'
                else 'no figure at or before this month'
            end
        ) as status_reason,
        coalesce(evaluated.direction, months.direction) as direction,
        coalesce(evaluated.baseline_value, months.baseline_value) as baseline_value,
        coalesce(evaluated.is_baseline_imputed, false) as is_baseline_imputed,
        coalesce(evaluated.target_value, months.target_value) as target_value,
        evaluated.actual_value,
        evaluated.attainment_ratio,
        evaluated.baseline_progress,
        coalesce(
            evaluated.time_elapsed_ratio,
            {{ time_elapsed_ratio('months.as_of_date', 'months.start_year', 'months.end_year') }}
        ) as time_elapsed_ratio,
        evaluated.pace_basis,
        evaluated.pace_ratio,
        evaluated.pace_gap_pp,
        evaluated.is_compliant,
        evaluated.breaches_so_far,
        evaluated.expected_value,
        evaluated.gap_to_expected,
        evaluated.seasonal_expected_value,
        evaluated.projected_end_value,
        evaluated.projected_attainment,
        evaluated.projected_completion_date,
        evaluated.headroom,
        coalesce(evaluated.target_comparator, months.target_comparator) as target_comparator,
        evaluated.target_growth_rate,
        evaluated.observed_growth_rate,
        coalesce(evaluated.is_ahead, false) as is_ahead,
        evaluated.evidence_source,
        evaluated.as_of_date as reference_date,
        months.is_latest,
        months.as_of_date

    from month_evaluations as months
    left join evaluated
        on
            months.plan_code = evaluated.plan_code
            and months.indicator_code = evaluated.indicator_code
            and months.region_code = evaluated.region_code
            and months.evaluation_date = evaluated.as_of_date

),

flagged_rows as (

    -- The figure a month rests on carries its validation warnings (published, but to
    -- be read with care); a result printed in a plan document has none.
    select
        all_rows.*,
        flagged_dates.validation_flags

    from all_rows
    left join flagged_dates
        on
            all_rows.evidence_source = 'observation'
            and all_rows.indicator_code = flagged_dates.indicator_code
            and all_rows.region_code = flagged_dates.region_code
            and all_rows.reference_date = flagged_dates.period_end_date

),

final as (

    select
        flagged_rows.plan_code,
        flagged_rows.indicator_code,
        flagged_rows.region_code,
        flagged_rows.target_kind,
        flagged_rows.trajectory_shape,
        flagged_rows.attribute,
        flagged_rows.unit,
        flagged_rows.observation_period_code,
        flagged_rows.status,
        case
            when flagged_rows.status = 'on_track' and flagged_rows.is_ahead then '快于预期'
            else statuses.status_zh
        end as status_zh,
        -- The national mid-term evaluation's words (提前实现 / 快于预期 / 基本符合预期 /
        -- 滞后; 已完成 / 未完成 for a finished plan), mapped per status in
        -- seeds/progress_statuses.csv; ρ ≥ ahead_min_pace is 快于预期.
        case
            when flagged_rows.status = 'on_track' and flagged_rows.is_ahead then '快于预期'
            else statuses.evaluation_category_zh
        end as evaluation_category_zh,
        flagged_rows.status_reason,
        flagged_rows.direction,
        flagged_rows.baseline_value,
        flagged_rows.is_baseline_imputed,
        flagged_rows.target_value,
        flagged_rows.actual_value,
        flagged_rows.attainment_ratio,
        flagged_rows.baseline_progress,
        flagged_rows.time_elapsed_ratio,
        flagged_rows.pace_basis,
        flagged_rows.pace_ratio,
        flagged_rows.pace_gap_pp,
        flagged_rows.is_compliant,
        flagged_rows.breaches_so_far,
        flagged_rows.expected_value,
        flagged_rows.gap_to_expected,
        flagged_rows.seasonal_expected_value,
        flagged_rows.projected_end_value,
        flagged_rows.projected_attainment,
        flagged_rows.projected_completion_date,
        flagged_rows.headroom,
        flagged_rows.target_comparator,
        flagged_rows.target_growth_rate,
        flagged_rows.observed_growth_rate,
        flagged_rows.is_ahead,
        -- Who needs to hear about it: any non-good status of a binding (约束性) target
        -- is high; a lagging, regressing, breached (either side) or missed expected (预期性) one
        -- medium; one that needs acceleration or is at risk, low.
        case
            when statuses.is_good or flagged_rows.status in ('no_data', 'too_early') then null
            when flagged_rows.attribute = 'binding' then 'high'
            when flagged_rows.status in ('lagging', 'regressing', 'breached', 'below_floor', 'not_achieved')
                then 'medium'
            else 'low'
        end as severity,
        flagged_rows.evidence_source,
        flagged_rows.validation_flags,
        flagged_rows.validation_flags is not null as has_validation_warning,
        flagged_rows.reference_date,
        flagged_rows.is_latest,
        flagged_rows.as_of_date

    from flagged_rows
    inner join statuses on flagged_rows.status = statuses.status_code

)

select * from final
