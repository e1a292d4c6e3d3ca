-- Progress, step 1 of 4 (docs/formulas.md “Actual value”, “Finished plans and their
-- printed results”): one row per plan target × reference date with evidence, and the
-- figure the target is about at that date (actual_value):
--   level / bound: the level at the date; annual: the year to date; cumulative: the
--   finished plan years + this year's year to date (only when every earlier plan year is
--   reported); a finished plan's printed result where no figure was delivered
--   (evidence_source = 'plan_document').
-- Each date is judged against the target version in force then (effective_from_date).
-- The reference date is the period end of the observation used (an annual figure
-- evaluates at 31 December of its year), never the run date.
with

targets as (

    select * from {{ ref('stg_catalog__plan_targets') }}

),

plans as (

    select * from {{ ref('stg_catalog__plans') }}

),

target_spans as (

    -- Each target with its plan's span, ending in the target's own year when that comes
    -- before the plan's end (温州 留温率 “3年内”: 2021 in a 2019–2022 plan): it is paced
    -- and made final on that year.
    select
        targets.*,
        plans.start_year,
        plans.plan_start_date,
        least(plans.end_year, coalesce(targets.target_year, plans.end_year)) as end_year,
        least(plans.plan_end_date, make_date(coalesce(targets.target_year, plans.end_year), 12, 31))
            as plan_end_date

    from targets
    inner join plans on targets.plan_code = plans.plan_code

),

indicator_values as (

    select * from {{ ref('int_indicator_values_derived') }}

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
        targets.start_year,
        targets.end_year,
        targets.plan_end_date,
        cast(null as float8) as result_value,
        'observation' as evidence_source,
        indicator_values.period_end_date as as_of_date

    from target_spans as targets
    inner join indicator_values
        on
            targets.indicator_code = indicator_values.indicator_code
            and targets.region_code = indicator_values.region_code
            and indicator_values.period_end_date between targets.plan_start_date and targets.plan_end_date
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
        targets.start_year,
        targets.end_year,
        targets.plan_end_date,
        targets.result_value,
        'plan_document' as evidence_source,
        make_date(targets.result_year, 12, 31) as as_of_date

    from target_spans as targets
    where
        targets.result_value is not null
        and make_date(targets.result_year, 12, 31) between targets.plan_start_date and targets.plan_end_date
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

)

select * from measured
