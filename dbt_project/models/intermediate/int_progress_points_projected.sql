-- Progress, step 3 of 4 (docs/formulas.md “Trajectory and projection”, “Growth-rate
-- targets”, “Bounds”): where the trajectory says the figure should be (expected_value,
-- seasonal_expected_value), the weighted trend carried to the plan's end
-- (projected_end_value), when it reaches the target (projected_completion_date), and the
-- room left inside a bound (headroom).
with

paced as (

    select * from {{ ref('int_progress_points_paced') }}

),

seasonal_shares as (

    select * from {{ ref('int_seasonal_shares_derived') }}

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

)

select * from projected
