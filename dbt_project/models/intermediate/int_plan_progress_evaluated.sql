{{ config(materialized='table') }}
-- A table, not the folder's view: fct_plan_progress reads it three times (its bounds,
-- the targets with any evaluation, the as-of join) and its data test would re-run it.
-- Plan progress: one row per plan target × reference date with evidence (fct_plan_progress
-- carries it to every month-end). Formulas (x actual, x0 baseline, T target; docs/formulas.md):
--   e  time_elapsed_ratio = months from plan start to the reference date / months in plan
--   目标完成率 attainment_ratio = x/T (higher is better), T/x (lower is better),
--                     plan-to-date/T (cumulative), year-to-date/T (annual); none for a bound
--   进度完成度 C baseline_progress = (x - x0)/(T - x0) (level), plan-to-date/T (cumulative);
--                     none when x0 already meets T (a fall from it is not progress)
--   ρ  pace_ratio         = C / e, null while e < 0.10; statuses are judged on it
--   约/左右 (target_comparator '~'): met within band_share of T; a bound so printed is a
--                     band |x - T| <= band_share |T|
--   expected_value        = x0 + e (T - x0) (level), e T (cumulative), m/12 T (annual)
--   geometric (target = 年均增长 g% on x0, so T = x0 (1 + g)^n), for x0, T, x > 0:
--     expected_value = x0 (T/x0)^e,  C = ln(x/x0) / ln(T/x0) (so ρ = observed CAGR /
--     required CAGR, as ESCAP's growth-rate indicators), projected_end_value =
--     x0 (x/x0)^(1/e) (the observed CAGR carried on); a zero or negative figure has no
--     CAGR, and is measured on the straight line instead
--   seasonal_expected     = the same with last year's share of the year by month m
--   projected_end_value   = time-weighted least squares (w = 1 + t/12) read at the plan end
--   headroom (余量)       = T - x (ceiling), x - T (floor), band_share |T| - |x - T| (band)
-- A level target without a printed baseline is measured from its first figure (imputed).
-- The reference date is the period end of the observation used (an annual figure
-- evaluates at 31 December of its year), never the run date.
-- A finished plan whose own table prints its results (专栏1 “2020年完成数”, 浙江 表1
-- “2020年预计”) is evaluated on them where no delivered figure exists for that date:
-- evidence_source = 'plan_document'. At or after the plan's end the status is final:
-- achieved / not_achieved (已完成 / 未完成); a target met before it is achieved_early (提前实现).
with

targets as (

    select * from {{ ref('stg_catalog__plan_targets') }}

),

plans as (

    select * from {{ ref('stg_catalog__plans') }}

),

target_ends as (

    -- A target's own year when it comes before the plan's end (温州 留温率 “3年内”:
    -- 2021 in a 2019–2022 plan): it is paced and made final on that year.
    select
        targets.plan_code,
        targets.indicator_code,
        targets.region_code,
        targets.effective_from_date,
        least(plans.end_year, coalesce(targets.target_year, plans.end_year)) as end_year,
        least(plans.plan_end_date, make_date(coalesce(targets.target_year, plans.end_year), 12, 31))
            as plan_end_date

    from targets
    inner join plans on targets.plan_code = plans.plan_code

),

indicator_values as (

    select * from {{ ref('int_indicator_values_derived') }}

),

seasonal_shares as (

    -- The share of a year's flow reached by each month end, as the bureau's own
    -- figures of that year show it (YTD at the month / YTD at 31 December).
    select
        month_figures.indicator_code,
        month_figures.region_code,
        month_figures.period_end_date,
        month_figures.ytd_value / nullif(year_figures.ytd_value, 0) as share_of_year

    from indicator_values as month_figures
    inner join indicator_values as year_figures
        on
            month_figures.indicator_code = year_figures.indicator_code
            and month_figures.region_code = year_figures.region_code
            and year_figures.period_end_date
            = make_date(extract(year from month_figures.period_end_date)::integer, 12, 31)
    where month_figures.ytd_value is not null and year_figures.ytd_value is not null

),

annual_totals as (

    -- A year's full flow is its year-to-date at 31 December.
    select
        indicator_code,
        region_code,
        ytd_value as annual_value,
        extract(year from period_end_date) as data_year

    from indicator_values
    where
        ytd_value is not null
        and extract(month from period_end_date) = 12
        and extract(day from period_end_date) = 31

),

observed_points as (

    select
        targets.plan_code,
        targets.indicator_code,
        targets.region_code,
        targets.target_kind,
        targets.trajectory_shape,
        targets.on_track_min_pace as indicator_on_track_min_pace,
        targets.needs_acceleration_min_pace as indicator_needs_acceleration_min_pace,
        targets.ahead_min_pace as indicator_ahead_min_pace,
        targets.at_risk_headroom as indicator_at_risk_headroom,
        coalesce(targets.about_band_share, {{ var('about_band_share') }}) as band_share,
        targets.target_growth_rate,
        targets.attribute,
        targets.target_comparator,
        targets.unit,
        indicator_values.level_period_code,
        indicator_values.ytd_period_code,
        targets.direction,
        targets.baseline_value,
        targets.target_value,
        indicator_values.level_value,
        indicator_values.ytd_value,
        plans.start_year,
        target_ends.end_year,
        target_ends.plan_end_date,
        cast(null as float8) as result_value,
        'observation' as evidence_source,
        indicator_values.period_end_date as as_of_date

    from targets
    inner join plans on targets.plan_code = plans.plan_code
    inner join target_ends
        on
            targets.plan_code = target_ends.plan_code
            and targets.indicator_code = target_ends.indicator_code
            and targets.region_code = target_ends.region_code
            and targets.effective_from_date = target_ends.effective_from_date
    inner join indicator_values
        on
            targets.indicator_code = indicator_values.indicator_code
            and targets.region_code = indicator_values.region_code
            and indicator_values.period_end_date between plans.plan_start_date and target_ends.plan_end_date
            -- Judge each date against the target version in force at that date.
            and indicator_values.period_end_date >= targets.effective_from_date
            and (
                targets.effective_to_date is null
                or indicator_values.period_end_date <= targets.effective_to_date
            )

),

document_points as (

    -- A result printed in the plan's own table, at 31 December of its year, where no
    -- delivered figure exists for that date.
    select
        targets.plan_code,
        targets.indicator_code,
        targets.region_code,
        targets.target_kind,
        targets.trajectory_shape,
        targets.on_track_min_pace as indicator_on_track_min_pace,
        targets.needs_acceleration_min_pace as indicator_needs_acceleration_min_pace,
        targets.ahead_min_pace as indicator_ahead_min_pace,
        targets.at_risk_headroom as indicator_at_risk_headroom,
        coalesce(targets.about_band_share, {{ var('about_band_share') }}) as band_share,
        targets.target_growth_rate,
        targets.attribute,
        targets.target_comparator,
        targets.unit,
        cast(targets.result_year as varchar) as level_period_code,
        cast(targets.result_year as varchar) as ytd_period_code,
        targets.direction,
        targets.baseline_value,
        targets.target_value,
        cast(null as float8) as level_value,
        cast(null as float8) as ytd_value,
        plans.start_year,
        target_ends.end_year,
        target_ends.plan_end_date,
        targets.result_value,
        'plan_document' as evidence_source,
        make_date(targets.result_year, 12, 31) as as_of_date

    from targets
    inner join plans on targets.plan_code = plans.plan_code
    inner join target_ends
        on
            targets.plan_code = target_ends.plan_code
            and targets.indicator_code = target_ends.indicator_code
            and targets.region_code = target_ends.region_code
            and targets.effective_from_date = target_ends.effective_from_date
    where
        targets.result_value is not null
        and make_date(targets.result_year, 12, 31) between plans.plan_start_date and target_ends.plan_end_date
        and make_date(targets.result_year, 12, 31) >= targets.effective_from_date
        and (
            targets.effective_to_date is null
            or make_date(targets.result_year, 12, 31) <= targets.effective_to_date
        )
        {% if var('as_of_date') %}
            -- `--as-of`: a result for a later year is not known yet.
            and make_date(targets.result_year, 12, 31) <= cast('{{ var("as_of_date") }}' as date)
        {% endif %}
        and not exists (
            select 1
            from observed_points
            where
                observed_points.plan_code = targets.plan_code
                and observed_points.indicator_code = targets.indicator_code
                and observed_points.region_code = targets.region_code
                and observed_points.as_of_date = make_date(targets.result_year, 12, 31)
        )

),

points as (

    select * from observed_points
    union all
    select * from document_points

),

prior_years as (

    -- Σ of the full years of the plan before the reference date's year.
    select
        points.plan_code,
        points.indicator_code,
        points.region_code,
        points.as_of_date,
        -- Summed as decimals: a floating-point sum depends on row order, and the
        -- same data must give the same figures on every run.
        cast(sum(cast(annual_totals.annual_value as decimal(38, 10))) as float8) as prior_total,
        count(annual_totals.annual_value) as prior_years_reported

    from points
    left join annual_totals
        on
            points.indicator_code = annual_totals.indicator_code
            and points.region_code = annual_totals.region_code
            and annual_totals.data_year >= points.start_year
            and annual_totals.data_year < extract(year from points.as_of_date)
    group by points.plan_code, points.indicator_code, points.region_code, points.as_of_date

),

measured as (

    select
        points.*,
        case
            -- A printed result is already the figure the target is about (a five-year
            -- total for a cumulative target).
            when points.evidence_source = 'plan_document' then points.result_value
            when points.target_kind in ('level', 'bound_max', 'bound_min') then points.level_value
            when points.target_kind = 'annual' then points.ytd_value
            -- No numeric target: the figure itself, for its trend.
            when points.target_kind = 'none' then coalesce(points.level_value, points.ytd_value)
            -- Plan-to-date = Σ finished years + this year's year-to-date (never a sum of
            -- year-to-date figures); only when every earlier plan year is reported.
            when
                points.target_kind = 'cumulative'
                and prior_years.prior_years_reported = extract(year from points.as_of_date) - points.start_year
                then cast(
                    cast(coalesce(prior_years.prior_total, 0) as decimal(38, 10))
                    + cast(points.ytd_value as decimal(38, 10)) as float8
                )
        end as actual_value,
        case
            when points.target_kind in ('level', 'bound_max', 'bound_min') then points.level_period_code
            else points.ytd_period_code
        end as observation_period_code,
        extract(year from points.as_of_date) - points.start_year
        - coalesce(prior_years.prior_years_reported, 0) as prior_years_missing,
        {{ time_elapsed_ratio('points.as_of_date', 'points.start_year', 'points.end_year') }}
            as time_elapsed_ratio,
        cast(extract(month from points.as_of_date) as float8) / 12 as year_elapsed_ratio

    from points
    inner join prior_years
        on
            points.plan_code = prior_years.plan_code
            and points.indicator_code = prior_years.indicator_code
            and points.region_code = prior_years.region_code
            and points.as_of_date = prior_years.as_of_date

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

),

regressed as (

    -- Time-weighted least squares over the series so far (level targets): the
    -- printed baseline at t = 0 and every figure since, t in months from the plan
    -- start, weight 1 + t/12 so recent figures count more (after ESCAP's weighted
    -- extrapolation, SD/WP/04 2017; these weights are ours). With the baseline and one
    -- figure it is the straight line through both.
    select
        *,
        (s_w * s_wty - s_wt * s_wy) / nullif(s_w * s_wtt - s_wt * s_wt, 0) as trend_slope

    from (
        select
            *,
            sum_w + case when has_printed_baseline then 1 else 0 end as s_w,
            sum_wt as s_wt,
            sum_wtt as s_wtt,
            sum_wy + case when has_printed_baseline then baseline_value else 0 end as s_wy,
            sum_wty as s_wty
        from (
            select
                *,
                target_kind = 'level' and not is_baseline_imputed and baseline_value is not null
                    as has_printed_baseline,
                sum(case when actual_value is not null then 1 + t_months / 12 end) over running as sum_w,
                sum(case when actual_value is not null then (1 + t_months / 12) * t_months end)
                    over running as sum_wt,
                sum(case when actual_value is not null then (1 + t_months / 12) * t_months * t_months end)
                    over running as sum_wtt,
                sum(case when actual_value is not null then (1 + t_months / 12) * actual_value end)
                    over running as sum_wy,
                sum(case when actual_value is not null then (1 + t_months / 12) * t_months * actual_value end)
                    over running as sum_wty
            from (
                select
                    *,
                    time_elapsed_ratio * (end_year - start_year + 1) * 12 as t_months,
                    cast((end_year - start_year + 1) * 12 as float8) as plan_months
                from paced
            ) as timed
            window running as (
                partition by plan_code, indicator_code, region_code
                order by as_of_date
                rows between unbounded preceding and current row
            )
        ) as summed
    ) as sums

),

seasoned as (

    -- For flows judged within a year: last year's share of the year reached by this
    -- month, if the bureau reported it.
    select
        regressed.*,
        seasonal_shares.share_of_year as seasonal_share

    from regressed
    left join seasonal_shares
        on
            regressed.indicator_code = seasonal_shares.indicator_code
            and regressed.region_code = seasonal_shares.region_code
            and regressed.target_kind in ('annual', 'cumulative')
            and seasonal_shares.period_end_date = last_day(regressed.as_of_date - interval '1 year')

),

trajectory as (

    select
        *,
        -- Where the linear trajectory from the baseline (or from 0 for a total)
        -- says the indicator should be at this date.
        case
            when is_geometric
                then baseline_used_value * pow(target_value / baseline_used_value, pace_basis)
            when target_kind = 'level'
                then baseline_used_value + pace_basis * (target_value - baseline_used_value)
            when target_kind = 'cumulative' then time_elapsed_ratio * target_value
            when target_kind = 'annual' then year_elapsed_ratio * target_value
        end as expected_value,
        -- The same with the year's own rhythm: last year's share of the year reached by
        -- this month instead of month/12 (a total: the years done plus that share).
        case
            when target_kind = 'annual' then seasonal_share * target_value
            when target_kind = 'cumulative'
                then (extract(year from as_of_date) - start_year + seasonal_share)
                / (end_year - start_year + 1) * target_value
        end as seasonal_expected_value,
        -- The weighted trend carried to the plan's end (for totals, the run rate since
        -- the plan start; for an annual task, since 1 January).
        case
            -- A growth target: the observed yearly growth since the baseline, compounded on.
            when is_geometric and actual_value > 0 and pace_basis > 0
                then baseline_used_value * pow(actual_value / baseline_used_value, 1 / pace_basis)
            when target_kind in ('level', 'bound_max', 'bound_min') and trend_slope is not null
                then (s_wy - trend_slope * s_wt) / s_w + trend_slope * plan_months
            when target_kind = 'cumulative' and time_elapsed_ratio > 0
                then actual_value / time_elapsed_ratio
            when target_kind = 'annual' and year_elapsed_ratio > 0
                then actual_value / year_elapsed_ratio
        end as projected_end_value,
        -- Room left inside a bound (positive: held; negative: by how much it is broken),
        -- subtracted as decimals: the figures are compared as published (96.1 − 96 is
        -- 0.1, not 0.09999999999999432).
        case
            when is_band
                then cast(
                    cast(band_share * abs(target_value) as decimal(38, 10))
                    - abs(cast(actual_value as decimal(38, 10)) - cast(target_value as decimal(38, 10)))
                    as float8
                )
            when target_kind = 'bound_max'
                then cast(
                    cast(target_value as decimal(38, 10)) - cast(actual_value as decimal(38, 10)) as float8
                )
            when target_kind = 'bound_min'
                then cast(
                    cast(actual_value as decimal(38, 10)) - cast(target_value as decimal(38, 10)) as float8
                )
        end as headroom

    from seasoned

),

projected as (

    select
        *,
        actual_value - expected_value as gap_to_expected,
        {{ attainment_ratio('projected_end_value') }} as projected_attainment,
        -- When the trend reaches the target: plan start + the months it takes (null when
        -- the trend points away from the target or it is already met).
        case
            -- At the observed growth rate: t · ln(T/x0) / ln(x/x0) months from the start.
            when is_geometric and actual_value > 0
                then case
                    when
                        direction * ln(actual_value / baseline_used_value) > 0
                        and not is_target_met
                        and t_months * ln(target_value / baseline_used_value) / ln(actual_value / baseline_used_value)
                        <= {{ var('projection_horizon_months') }}
                        then cast(
                            make_date(start_year, 1, 1)
                            + to_months(cast(ceil(
                                t_months * ln(target_value / baseline_used_value)
                                / ln(actual_value / baseline_used_value)
                            ) as integer))
                            - interval '1 day' as date
                        )
                end
            when
                target_kind = 'level'
                and trend_slope is not null
                and direction * trend_slope > 0
                and not is_target_met
                -- A trend too flat to reach the target within a century says "not in
                -- sight", not a date (and would overflow the month count).
                and (target_value - (s_wy - trend_slope * s_wt) / s_w) / trend_slope
                <= {{ var('projection_horizon_months') }}
                then cast(
                    make_date(start_year, 1, 1)
                    + to_months(cast(ceil(
                        (target_value - (s_wy - trend_slope * s_wt) / s_w) / trend_slope
                    ) as integer))
                    - interval '1 day' as date
                )
            when
                target_kind = 'cumulative'
                and time_elapsed_ratio > 0
                and not is_target_met
                and direction * actual_value > 0
                and (end_year - start_year + 1) * 12 * time_elapsed_ratio * target_value / actual_value
                <= {{ var('projection_horizon_months') }}
                then cast(
                    make_date(start_year, 1, 1)
                    + to_months(cast(ceil(
                        (end_year - start_year + 1) * 12 * time_elapsed_ratio * target_value / actual_value
                    ) as integer))
                    - interval '1 day' as date
                )
        end as projected_completion_date

    from trajectory

),

cut_offs as (

    -- The indicator's own cut-offs where the bureau set them (seeds/status_thresholds.csv,
    -- carried on the target), the project's otherwise.
    select
        *,
        coalesce(indicator_on_track_min_pace, {{ var('on_track_min_pace') }}) as on_track_min_pace,
        coalesce(
            indicator_needs_acceleration_min_pace, {{ var('needs_acceleration_min_pace') }}
        ) as needs_acceleration_min_pace,
        coalesce(indicator_ahead_min_pace, {{ var('ahead_min_pace') }}) as ahead_min_pace,
        coalesce(
            indicator_at_risk_headroom,
            case
                when unit = '%' then {{ var('at_risk_headroom_pp') }}
                else {{ var('at_risk_headroom_share') }} * abs(target_value)
            end
        ) as at_risk_headroom,
        -- The compound average yearly growth since the baseline (geometric targets):
        -- (x/x0)^(12/t) - 1, in percent, against target_growth_rate.
        case
            when is_geometric and actual_value > 0 and t_months > 0
                then 100 * (pow(actual_value / baseline_used_value, 12 / t_months) - 1)
        end as observed_growth_rate

    from projected

),

final as (

    select
        plan_code,
        indicator_code,
        region_code,
        target_kind,
        case when is_geometric then 'geometric' else 'linear' end as trajectory_shape,
        attribute,
        unit,
        observation_period_code,
        case
            when actual_value is null then 'no_data'
            -- No numeric target: the trend only.
            when target_value is null and direction * (actual_value - previous_actual_value) > 0
                then 'improving'
            when target_value is null and direction * (actual_value - previous_actual_value) < 0
                then 'worsening'
            when target_value is null then 'no_data'
            -- After the plan's end: final. A bound must hold at the end, and a binding
            -- (约束性) one must never have been breached during the plan.
            when is_final and target_kind in ('bound_max', 'bound_min')
                then case
                    when is_compliant and (attribute != 'binding' or breaches_so_far = 0) then 'achieved'
                    else 'not_achieved'
                end
            when is_final then case when is_target_met then 'achieved' else 'not_achieved' end
            -- A ceiling broken is 超限; a floor broken is 未达标, 低于下限 (a band: by side).
            when target_kind in ('bound_max', 'bound_min') and not is_compliant
                then case
                    when is_band and actual_value > target_value then 'breached'
                    when is_band or target_kind = 'bound_min' then 'below_floor'
                    else 'breached'
                end
            -- A band is at risk only when its trend leaves the band by the plan's end.
            when
                is_band
                and abs(projected_end_value - target_value) > band_share * abs(target_value)
                then 'at_risk'
            when is_band then 'compliant'
            -- Held, but with less room than the tolerance (points for a rate, a share of
            -- the bound for a count), or the trend crosses the bound before the plan ends.
            when
                target_kind in ('bound_max', 'bound_min')
                and (
                    headroom < at_risk_headroom
                    or (target_kind = 'bound_max' and projected_end_value > target_value)
                    or (target_kind = 'bound_min' and projected_end_value < target_value)
                )
                then 'at_risk'
            when target_kind in ('bound_max', 'bound_min') then 'compliant'
            -- Met before the plan's end: the national evaluation's 提前实现.
            when is_target_met then 'achieved_early'
            -- The baseline already met the target and the figure has fallen below it.
            when is_baseline_at_target then 'regressing'
            when pace_basis < {{ var('too_early_below') }} then 'too_early'
            when baseline_progress is null then 'no_data'
            when pace_ratio >= on_track_min_pace then 'on_track'
            when pace_ratio >= needs_acceleration_min_pace then 'needs_acceleration'
            when pace_ratio >= 0 then 'lagging'
            else 'regressing'
        end as status,
        case
            when actual_value is null and target_kind = 'cumulative' and prior_years_missing > 0
                then 'missing full-year figure(s) for ' || cast(prior_years_missing as varchar) || ' earlier plan year(s)'
            when actual_value is null then 'no usable observation'
            when is_final and evidence_source = 'plan_document'
                then 'final: the result the plan document prints for ' || observation_period_code
            when is_final then 'final: the figure for the plan''s last period'
            when target_value is null and previous_actual_value is not null
                then 'no numeric target: compared with the figure before'
            when target_value is null then 'no numeric target, and no earlier figure to compare'
            when is_band and is_compliant
                then 'within the band of ±' || cast(round(100 * band_share, 2) as varchar)
                || '% around the target, headroom ' || cast(round(headroom, 4) as varchar)
            when is_band then 'outside the band of ±' || cast(round(100 * band_share, 2) as varchar) || '% around the target'
            when target_kind in ('bound_max', 'bound_min') and is_compliant
                then 'within the bound, headroom ' || cast(round(headroom, 4) as varchar)
            when target_kind = 'bound_max' then 'above the ceiling'
            when target_kind = 'bound_min' then 'below the floor'
            when is_target_met and target_comparator = '~'
                then 'met within ' || cast(round(100 * band_share, 2) as varchar) || '% of an approximate (左右) target'
            when is_target_met then 'the target is met before the plan''s end'
            when is_baseline_at_target
                then 'the baseline ' || cast(round(baseline_used_value, 4) as varchar)
                || case when is_baseline_imputed then ' (first figure observed)' else '' end
                || ' already met the target; the figure has fallen below it'
            when is_baseline_imputed and as_of_date = first_observed_date
                then 'the first figure observed is the baseline (none printed): nothing to measure progress from yet'
            when baseline_progress is null and target_kind = 'level' then 'no baseline to measure progress from'
            when is_geometric and actual_value <= 0
                then 'a zero or negative figure has no growth rate: measured on the straight line, C='
                || cast(round(baseline_progress, 3) as varchar)
            when is_geometric
                then 'geometric: average yearly growth so far ' || cast(round(observed_growth_rate, 2) as varchar)
                || '% against ' || cast(round(target_growth_rate, 2) as varchar) || '% required, C='
                || cast(round(baseline_progress, 3) as varchar)
                || ' e=' || cast(round(pace_basis, 3) as varchar)
                || coalesce(' rho=' || cast(round(pace_ratio, 3) as varchar), '')
            else
                'C=' || cast(round(baseline_progress, 3) as varchar)
                || ' e=' || cast(round(pace_basis, 3) as varchar)
                || coalesce(' rho=' || cast(round(pace_ratio, 3) as varchar), '')
        end as status_reason,
        direction,
        baseline_used_value as baseline_value,
        coalesce(is_baseline_imputed, false) as is_baseline_imputed,
        target_value,
        actual_value,
        attainment_ratio,
        baseline_progress,
        time_elapsed_ratio,
        pace_basis,
        pace_ratio,
        pace_gap_pp,
        is_compliant,
        cast(breaches_so_far as integer) as breaches_so_far,
        expected_value,
        gap_to_expected,
        seasonal_expected_value,
        projected_end_value,
        projected_attainment,
        projected_completion_date,
        headroom,
        target_comparator,
        case when is_geometric then target_growth_rate end as target_growth_rate,
        observed_growth_rate,
        coalesce(pace_ratio >= ahead_min_pace, false) as is_ahead,
        evidence_source,
        as_of_date

    from cut_offs

)

select * from final
