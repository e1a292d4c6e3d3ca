-- Progress, step 2 of 4 (docs/formulas.md “Ratios”): the baseline used (a level target
-- printed without one is measured from its first figure, imputed), 目标完成率
-- (attainment_ratio), 进度完成度 C (baseline_progress), compliance with a bound, the
-- time share a pace is judged on (pace_basis), ρ = C / e (pace_ratio), breaches so far,
-- whether the target is met and whether the point is final.
with

measured as (

    select * from {{ ref('int_progress_points_measured') }}

),

baselined as (

    -- A level target printed without a baseline (新引进…“——”, 留温率) is measured from
    -- the first figure observed in the plan, recorded as imputed; its pace is then
    -- judged on the time from that figure to the plan's end, not from the plan start.
    select
        measured_with_first.*,
        case when is_baseline_imputed then first_observed_value else baseline_value end
            as baseline_used_value,
        case
            when is_baseline_imputed
                then cast(
                    (extract(year from as_of_date) - extract(year from first_observed_date)) * 12
                    + extract(month from as_of_date) - extract(month from first_observed_date)
                    as float8
                ) / nullif(
                    (end_year - extract(year from first_observed_date)) * 12
                    + 12 - extract(month from first_observed_date),
                    0
                )
            else time_elapsed_ratio
        end as level_pace_basis,
        -- Compounding needs a positive start and end (a catalog refuses a growth target
        -- on a zero or negative baseline; this guards hand-edited seeds).
        coalesce(
            trajectory_shape = 'geometric'
            and target_kind = 'level'
            and baseline_value > 0
            and target_value > 0
            and not is_baseline_imputed,
            false
        ) as is_geometric,
        coalesce(
            target_kind = 'level'
            and direction * (
                target_value - case when is_baseline_imputed then first_observed_value else baseline_value end
            ) <= 0,
            false
        ) as is_baseline_at_target,
        target_kind in ('bound_max', 'bound_min') and target_comparator = '~' as is_band

    from (
        select
            *,
            target_kind = 'level' and baseline_value is null and target_value is not null
            and first_value(actual_value) over figures_first is not null as is_baseline_imputed,
            -- The earliest figure: rows with a figure sort before rows without one.
            first_value(actual_value) over figures_first as first_observed_value,
            min(case when actual_value is not null then as_of_date end) over series as first_observed_date
        from measured
        window
            series as (
                partition by plan_code, indicator_code, region_code
                order by as_of_date
                rows between unbounded preceding and unbounded following
            ),
            figures_first as (
                partition by plan_code, indicator_code, region_code
                order by actual_value is null, as_of_date
                rows between unbounded preceding and unbounded following
            )
    ) as measured_with_first

),

ratios as (

    select
        *,
        {{ attainment_ratio('actual_value') }} as attainment_ratio,
        case
            when target_kind in ('cumulative', 'annual') then actual_value / nullif(target_value, 0)
            when is_geometric and actual_value > 0
                then ln(actual_value / baseline_used_value) / nullif(ln(target_value / baseline_used_value), 0)
            -- A baseline that already meets the target leaves no way to measure
            -- progress (a fall from it would read as progress): see the status.
            -- Nor does the imputed baseline's own date (a finished plan that prints only
            -- its result has nothing before it to progress from).
            when
                target_kind = 'level'
                and not is_baseline_at_target
                and not (is_baseline_imputed and as_of_date = first_observed_date)
                then (actual_value - baseline_used_value) / nullif(target_value - baseline_used_value, 0)
        end as baseline_progress,
        case
            -- 保持在32.5万人左右: a band of ±band_share around the value, compared as
            -- decimals like the headroom below.
            when is_band
                then abs(cast(actual_value as decimal(38, 10)) - cast(target_value as decimal(38, 10)))
                <= cast(band_share * abs(target_value) as decimal(38, 10))
            when target_kind = 'bound_max' and target_comparator = '<' then actual_value < target_value
            when target_kind = 'bound_max' then actual_value <= target_value
            when target_kind = 'bound_min' and target_comparator = '>' then actual_value > target_value
            when target_kind = 'bound_min' then actual_value >= target_value
        end as is_compliant,
        -- An annual task is paced against the share of its own year that has passed.
        case
            when target_kind = 'annual' then year_elapsed_ratio
            when target_kind = 'level' then level_pace_basis
            else time_elapsed_ratio
        end as pace_basis

    from baselined

),

paced as (

    select
        *,
        case
            when pace_basis >= {{ var('too_early_below') }} then baseline_progress / pace_basis
        end as pace_ratio,
        100 * (baseline_progress - pace_basis) as pace_gap_pp,
        -- Periods so far outside a bound (a binding bound breached once is not achieved).
        count(*) filter (where not is_compliant) over (
            partition by plan_code, indicator_code, region_code
            order by as_of_date
            rows between unbounded preceding and current row
        ) as breaches_so_far,
        case
            when target_comparator = '>' then actual_value > target_value
            when target_comparator = '<' then actual_value < target_value
            -- 200左右 is met at 190 (band_share 5 %).
            when target_comparator = '~'
                then direction * (actual_value - target_value) >= -band_share * abs(target_value)
            else direction * (actual_value - target_value) >= 0
        end as is_target_met,
        as_of_date >= plan_end_date as is_final,
        lag(actual_value) over (
            partition by plan_code, indicator_code, region_code
            order by as_of_date
        ) as previous_actual_value

    from ratios

)

select * from paced
