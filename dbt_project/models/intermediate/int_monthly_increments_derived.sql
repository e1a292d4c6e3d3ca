-- Year-to-date figures (累计, 1-N月) turned into the flow of each reporting step:
--   increment(m) = YTD(m) − YTD(previous reported month of the same year);
--   the first reported month of a year increments from 0 (January = YTD(1)).
-- A skipped month makes the next increment span the gap (months_spanned > 1,
-- is_gap): it is flagged, never filled with zero. The merged 1-2月 release that
-- statistical bureaus publish instead of January is expected, not a gap
-- (is_merged_jan_feb). A December YTD is the annual figure; where an annual 当期
-- figure was also delivered, december_matches_annual says whether they agree.
with

observations as (

    select * from {{ ref('int_observations_deduplicated') }}

),

ytd as (

    select
        indicator_code,
        region_code,
        period_code,
        period_end_date,
        observed_value as ytd_value,
        extract(year from period_end_date) as calendar_year,
        extract(month from period_end_date) as calendar_month

    from observations
    where basis = 'ytd' and period_grain = 'month'

),

annual as (

    select
        indicator_code,
        region_code,
        extract(year from period_end_date) as calendar_year,
        observed_value as annual_value

    from observations
    where basis = 'period' and period_grain = 'year'

),

stepped as (

    select
        *,
        lag(ytd_value) over year_so_far as previous_ytd_value,
        lag(calendar_month) over year_so_far as previous_month

    from ytd
    window year_so_far as (
        partition by indicator_code, region_code, calendar_year
        order by calendar_month
    )

),

final as (

    select
        stepped.indicator_code,
        stepped.region_code,
        stepped.period_code,
        stepped.period_end_date,
        stepped.ytd_value,
        stepped.previous_ytd_value,
        annual.annual_value,
        cast(stepped.calendar_month - coalesce(stepped.previous_month, 0) as integer)
            as months_spanned,
        -- Decimal subtraction: 0.81 − 0.52 is 0.29, not 0.29000000000000004.
        cast(
            cast(stepped.ytd_value as decimal(38, 10))
            - cast(coalesce(stepped.previous_ytd_value, 0) as decimal(38, 10))
            as float8
        ) as increment_value,
        stepped.previous_month is null and stepped.calendar_month = 2 as is_merged_jan_feb,
        stepped.calendar_month - coalesce(stepped.previous_month, 0) > 1
        and not (stepped.previous_month is null and stepped.calendar_month = 2) as is_gap,
        coalesce(stepped.ytd_value < stepped.previous_ytd_value, false) as is_decreasing,
        case
            when stepped.calendar_month = 12 and annual.annual_value is not null
                then abs(stepped.ytd_value - annual.annual_value) < 1e-9
        end as december_matches_annual

    from stepped
    left join annual
        on
            stepped.indicator_code = annual.indicator_code
            and stepped.region_code = annual.region_code
            and stepped.calendar_year = annual.calendar_year

)

select * from final
