-- Every year, half, quarter and month from the earliest plan baseline year (or the
-- earliest figure delivered, if older) to the latest plan end year (or latest figure),
-- so BI can join and label any period an observation uses.
with

plans as (

    select * from {{ ref('stg_catalog__plans') }}

),

observations as (

    select * from {{ ref('int_observations_deduplicated') }}

),

year_spans as (

    select least(baseline_year, start_year) as first_year, end_year as last_year
    from plans
    union all
    select
        cast(extract(year from min(period_start_date)) as integer) as first_year,
        cast(extract(year from max(period_end_date)) as integer) as last_year
    from observations

),

bounds as (

    select
        min(first_year) as first_year,
        max(last_year) as last_year

    from year_spans

),

years as (

    select cast(year_number as integer) as period_year
    from bounds
    cross join generate_series(bounds.first_year, bounds.last_year) as series (year_number)

),

months as (

    select cast(month_number as integer) as period_month
    from generate_series(1, 12) as series (month_number)

),

periods as (

    select
        cast(period_year as varchar) as period_code,
        'year' as period_grain,
        period_year || '年' as period_label_zh,
        period_year,
        cast(null as integer) as period_half,
        cast(null as integer) as period_quarter,
        cast(null as integer) as period_month,
        make_date(period_year, 1, 1) as period_start_date,
        make_date(period_year, 12, 31) as period_end_date
    from years

    union all

    select
        period_year || '-H' || {{ int_div('period_month + 5', 6) }} as period_code,
        'half' as period_grain,
        period_year || case when period_month = 1 then '年上半年' else '年下半年' end as period_label_zh,
        period_year,
        {{ int_div('period_month + 5', 6) }} as period_half,
        cast(null as integer) as period_quarter,
        cast(null as integer) as period_month,
        make_date(period_year, period_month, 1) as period_start_date,
        last_day(make_date(period_year, period_month + 5, 1)) as period_end_date
    from years
    cross join months
    where period_month in (1, 7)

    union all

    select
        period_year || '-Q' || {{ int_div('period_month + 2', 3) }} as period_code,
        'quarter' as period_grain,
        period_year || '年第' || {{ int_div('period_month + 2', 3) }} || '季度' as period_label_zh,
        period_year,
        {{ int_div('period_month + 5', 6) }} as period_half,
        {{ int_div('period_month + 2', 3) }} as period_quarter,
        cast(null as integer) as period_month,
        make_date(period_year, period_month, 1) as period_start_date,
        last_day(make_date(period_year, period_month + 2, 1)) as period_end_date
    from years
    cross join months
    where period_month in (1, 4, 7, 10)

    union all

    select
        period_year || '-' || lpad(cast(period_month as varchar), 2, '0') as period_code,
        'month' as period_grain,
        period_year || '年' || period_month || '月' as period_label_zh,
        period_year,
        {{ int_div('period_month + 5', 6) }} as period_half,
        {{ int_div('period_month + 2', 3) }} as period_quarter,
        period_month,
        make_date(period_year, period_month, 1) as period_start_date,
        last_day(make_date(period_year, period_month, 1)) as period_end_date
    from years
    cross join months

),

final as (

    select * from periods

)

select * from final
