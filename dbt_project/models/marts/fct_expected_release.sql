-- Which figure is due when, and which are late. For every indicator with a release
-- calendar entry and a current plan target, each region the plan covers expects one
-- figure per period (month, quarter or year) from the plan start to the run date;
-- a period's figure is due on `due_day` of the month `due_months_after` months after
-- the period ends (monthly by the 15th of the next month; annual by 31 March).
-- The run date is var('run_date'), else var('as_of_date'), else today.
with

calendar as (

    select * from {{ ref('stg_catalog__release_calendar') }}

),

targets as (

    select * from {{ ref('stg_catalog__plan_targets') }}

),

plans as (

    select * from {{ ref('stg_catalog__plans') }}

),

observations as (

    select * from {{ ref('int_observations_deduplicated') }}

),

run_date as (

    select
        coalesce(
            cast({{ "'" ~ var('run_date') ~ "'" if var('run_date') else 'null' }} as date),
            cast({{ "'" ~ var('as_of_date') ~ "'" if var('as_of_date') else 'null' }} as date),
            current_date
        ) as run_date

),

scope as (

    select distinct
        targets.indicator_code,
        targets.region_code,
        calendar.frequency_code,
        calendar.publisher_zh,
        calendar.due_months_after,
        calendar.due_day,
        min(plans.plan_start_date) over (
            partition by targets.indicator_code, targets.region_code
        ) as first_plan_start_date,
        max(plans.plan_end_date) over (
            partition by targets.indicator_code, targets.region_code
        ) as last_plan_end_date

    from targets
    inner join plans on targets.plan_code = plans.plan_code
    inner join calendar on targets.indicator_code = calendar.indicator_code
    where targets.is_current

),

periods as (

    select
        scope.*,
        cast(month_end as date) as period_end_date

    from scope
    cross join run_date
    cross join lateral (
        select last_day(cast(month_start as date)) as month_end
        from generate_series(
            cast(scope.first_plan_start_date as timestamp),
            cast(least(run_date.run_date, scope.last_plan_end_date) as timestamp),
            interval '1 month'
        ) as months (month_start)
    ) as month_ends
    where
        scope.frequency_code = 'month'
        or (scope.frequency_code = 'quarter' and extract(month from month_end) in (3, 6, 9, 12))
        or (scope.frequency_code = 'year' and extract(month from month_end) = 12)

),

dated as (

    select
        *,
        case frequency_code
            when 'month' then strftime(period_end_date, '%Y-%m')
            when 'quarter'
                then strftime(period_end_date, '%Y') || '-Q' || cast(quarter(period_end_date) as varchar)
            else strftime(period_end_date, '%Y')
        end as period_code,
        last_day(period_end_date + to_months(due_months_after)) as due_month_end

    from periods

),

received as (

    select
        indicator_code,
        region_code,
        period_code,
        min(received_at) as received_at

    from observations
    group by 1, 2, 3

),

judged as (

    select
        dated.indicator_code,
        dated.region_code,
        dated.period_code,
        dated.frequency_code,
        dated.publisher_zh,
        dated.period_end_date,
        make_date(
            year(dated.due_month_end),
            month(dated.due_month_end),
            least(dated.due_day, day(dated.due_month_end))
        ) as due_date,
        received.received_at,
        run_date.run_date,
        case
            when received.received_at is not null then 'received'
            when make_date(
                year(dated.due_month_end),
                month(dated.due_month_end),
                least(dated.due_day, day(dated.due_month_end))
            ) < run_date.run_date then 'overdue'
            else 'not_yet_due'
        end as release_status

    from dated
    cross join run_date
    left join received
        on
            dated.indicator_code = received.indicator_code
            and dated.region_code = received.region_code
            and dated.period_code = received.period_code
    where dated.period_end_date <= run_date.run_date

),

final as (

    select
        *,
        -- The newest period already due: what a reminder is about (older gaps are
        -- history, newer periods are not due yet).
        coalesce(
            due_date = max(case when due_date < run_date then due_date end) over (
                partition by indicator_code, region_code
            ),
            false
        ) as is_latest_due

    from judged

)

select * from final
