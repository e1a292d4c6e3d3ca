-- Progress, seasonal shares (docs/formulas.md “Trajectory and projection”): the share
-- of a year's flow reached by each month end, as the bureau's own figures of that year
-- show it (YTD at the month / YTD at 31 December). Step 3 (int_progress_points_projected)
-- reads last year's share for seasonal_expected_value.
with

indicator_values as (

    select * from {{ ref('int_indicator_values_derived') }}

),

seasonal_shares as (

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

)

select * from seasonal_shares
