{{ config(materialized='table') }}
-- A table, not the folder's view: the evaluation reads it twice (its points and the
-- seasonal shares) and its data tests would re-run the completion chain.
-- For each indicator × region × reference date, the two quantities progress needs:
--   level_value: the state at that date (a stock or a rate), and
--   ytd_value:   the flow from 1 January to that date (year to date).
-- A year-to-date figure comes, in order of preference, from a reported 累计
-- figure, an annual 当期 figure (at 31 December), or the sum of monthly 当期
-- figures when every month of the year so far has been reported (a gap leaves
-- it null rather than silently counting the missing month as zero).
with

observations as (

    select * from {{ ref('int_observations_completed') }}

),

level_candidates as (

    select
        indicator_code,
        region_code,
        period_code,
        observed_value,
        period_end_date,
        row_number() over (
            partition by indicator_code, region_code, period_end_date
            order by
                case basis when 'end' then 1 else 2 end,
                case period_grain when 'year' then 1 when 'half' then 2 when 'quarter' then 3 else 4 end
        ) as preference

    from observations
    where basis in ('end', 'period')

),

levels as (

    select
        indicator_code,
        region_code,
        period_code as level_period_code,
        observed_value as level_value,
        period_end_date

    from level_candidates
    where preference = 1

),

monthly_flows as (

    select
        indicator_code,
        region_code,
        period_code,
        period_end_date,
        -- Decimal sum: exact, so independent of row order (see int_plan_progress_evaluated).
        cast(sum(cast(observed_value as decimal(38, 10))) over year_so_far as float8) as ytd_value,
        count(*) over year_so_far as months_reported

    from observations
    where basis = 'period' and period_grain = 'month'
    window year_so_far as (
        partition by indicator_code, region_code, extract(year from period_end_date)
        order by period_end_date
        rows between unbounded preceding and current row
    )

),

ytd_candidates as (

    select indicator_code, region_code, period_code, period_end_date, observed_value as ytd_value, 1 as source_rank
    from observations
    where basis = 'ytd'

    union all

    select indicator_code, region_code, period_code, period_end_date, observed_value as ytd_value, 2 as source_rank
    from observations
    where basis = 'period' and period_grain = 'year'

    union all

    select indicator_code, region_code, period_code, period_end_date, ytd_value, 3 as source_rank
    from monthly_flows
    where months_reported = extract(month from period_end_date)

),

ytd_ranked as (

    select
        *,
        row_number() over (
            partition by indicator_code, region_code, period_end_date
            order by source_rank
        ) as preference

    from ytd_candidates

),

ytd as (

    select
        indicator_code,
        region_code,
        period_code as ytd_period_code,
        ytd_value,
        period_end_date

    from ytd_ranked
    where preference = 1

),

reference_dates as (

    select indicator_code, region_code, period_end_date from levels
    union
    select indicator_code, region_code, period_end_date from ytd

),

final as (

    select
        reference_dates.indicator_code,
        reference_dates.region_code,
        levels.level_period_code,
        ytd.ytd_period_code,
        levels.level_value,
        ytd.ytd_value,
        reference_dates.period_end_date

    from reference_dates
    left join levels
        on
            reference_dates.indicator_code = levels.indicator_code
            and reference_dates.region_code = levels.region_code
            and reference_dates.period_end_date = levels.period_end_date
    left join ytd
        on
            reference_dates.indicator_code = ytd.indicator_code
            and reference_dates.region_code = ytd.region_code
            and reference_dates.period_end_date = ytd.period_end_date

)

select * from final
