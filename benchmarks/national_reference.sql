-- The reference limit of issue 19: ONE hand-written DuckDB script computing the rows of
-- marts.fct_plan_progress (plan target × region × month-end) from raw.observations and
-- the catalog CSVs, written the fastest way we know. benchmarks/national_reference.py runs
-- it (the work database attached read-only as `w`, ${CATALOG} the catalog folder) and
-- compares handwritten.fct_plan_progress with the mart row by row.
--
-- Same formulas as dbt_project/models (docs/formulas.md), with the project's default
-- vars and no --as-of. What it does differently, for speed:
--   * narrows raw rows to the (indicator, region) pairs a target needs — the targets'
--     own, the components of a derived indicator, and for an additive indicator of a
--     city its districts and counties (the roll-up) — before anything else;
--   * deduplicates once with arg_max over the arrival order (no vintage table);
--   * evaluates only the columns the scorecard's status, severity and the compared
--     figures need (no status_reason text, completion dates, seasonal values, flags);
--   * carries each evaluation to the month-ends with an ASOF join.
set asof_loop_join_threshold = 0;

-- Catalog -----------------------------------------------------------------------------
create or replace temp table plans as
select
    plan_code, region_code,
    cast(start_year as integer) as start_year,
    cast(end_year as integer) as end_year,
    make_date(cast(start_year as integer), 1, 1) as plan_start_date,
    make_date(cast(end_year as integer), 12, 31) as plan_end_date
from read_csv('${CATALOG}/plans.csv', header = true, all_varchar = true);

create or replace temp table targets as
with src as (
    select
        s.plan_code, s.indicator_code, p.region_code, s.unit, s.target_kind,
        coalesce(s.trajectory_shape, 'linear') as trajectory_shape,
        s.attribute,
        coalesce(s.target_comparator, '') as target_comparator,
        coalesce(cast(s.effective_from_date as date), p.plan_start_date) as effective_from_date,
        cast(s.direction as integer) as direction,
        cast(s.baseline_value as double) as baseline_value,
        cast(s.target_value as double) as target_value,
        cast(s.target_year as integer) as target_year,
        cast(s.target_growth_rate as double) as target_growth_rate,
        cast(s.result_year as integer) as result_year,
        cast(s.result_value as double) as result_value,
        cast(t.on_track_min_pace as double) as on_track_min_pace,
        cast(t.needs_acceleration_min_pace as double) as needs_acceleration_min_pace,
        cast(t.ahead_min_pace as double) as ahead_min_pace,
        cast(t.at_risk_headroom as double) as at_risk_headroom,
        coalesce(cast(t.about_band_share as double), 0.05) as band_share,
        p.start_year, p.plan_start_date, p.end_year as plan_end_year, p.plan_end_date as plan_last_date
    from read_csv('${CATALOG}/plan_indicators.csv', header = true, all_varchar = true) as s
    inner join plans as p on s.plan_code = p.plan_code
    left join read_csv('${CATALOG}/status_thresholds.csv', header = true, all_varchar = true) as t
        on s.indicator_code = t.indicator_code
)
select
    *,
    cast(lead(effective_from_date) over (
        partition by plan_code, indicator_code, region_code order by effective_from_date
    ) - interval 1 day as date) as effective_to_date,
    least(plan_end_year, coalesce(target_year, plan_end_year)) as end_year,
    least(plan_last_date, make_date(coalesce(target_year, plan_end_year), 12, 31)) as plan_end_date
from src;

create or replace temp table regions as
select region_code, region_level, parent_region_code
from read_csv('${CATALOG}/regions.csv', header = true, all_varchar = true);

create or replace temp table additive as
select indicator_code
from read_csv('${CATALOG}/indicators.csv', header = true, all_varchar = true)
where cast(is_additive as boolean);

create or replace temp table derivations as
select indicator_code, numerator_indicator_code, denominator_indicator_code, cast(factor as double) as factor
from read_csv('${CATALOG}/indicator_derivations.csv', header = true, all_varchar = true);

create or replace temp table sub_regions as
select region_code, parent_region_code, count(*) over (partition by parent_region_code) as siblings
from regions
where region_level in ('district', 'county');

-- The (indicator, region) pairs any target needs figures of.
create or replace temp table needed as
with own as (
    select distinct indicator_code, region_code from targets
),
with_components as (
    select * from own
    union
    select d.numerator_indicator_code, own.region_code
    from own inner join derivations as d on own.indicator_code = d.indicator_code
    union
    select d.denominator_indicator_code, own.region_code
    from own inner join derivations as d on own.indicator_code = d.indicator_code
)
select * from with_components
union
select c.indicator_code, s.region_code
from with_components as c
inner join additive as a on c.indicator_code = a.indicator_code
inner join sub_regions as s on c.region_code = s.parent_region_code;

-- Latest vintage of each observation key (arrival: received_at, file, row, column).
create or replace temp table delivered as
select
    o.indicator_code, o.region_code, o.period_code, o.basis,
    arg_max(
        {'v': o.value, 'g': o.period_grain, 's': o.period_start_date, 'e': o.period_end_date},
        {'r': o.received_at, 'f': o.file_name, 'n': o.row_number, 'c': coalesce(o.column_label, chr(1114111))}
    ) as fig
from w.raw.observations as o
semi join needed as n on o.indicator_code = n.indicator_code and o.region_code = n.region_code
group by all;

create or replace temp table completed as
with
base as (
    select
        indicator_code, region_code, period_code, basis,
        fig.v as observed_value, fig.g as period_grain, fig.s as period_start_date,
        fig.e as period_end_date
    from delivered
),
rolled_up as (
    select
        b.indicator_code, s.parent_region_code as region_code, b.period_code, b.basis,
        cast(sum(cast(b.observed_value as decimal(38, 10))) as double) as observed_value,
        b.period_grain,
        min(b.period_start_date) as period_start_date,
        max(b.period_end_date) as period_end_date
    from base as b
    inner join sub_regions as s on b.region_code = s.region_code
    semi join additive as a on b.indicator_code = a.indicator_code
    group by b.indicator_code, s.parent_region_code, b.period_code, b.period_grain, b.basis, s.siblings
    having count(*) = s.siblings
),
with_rollups as (
    select * from base
    union all
    select * from rolled_up as r
    anti join base as b
        on b.indicator_code = r.indicator_code and b.region_code = r.region_code
        and b.period_code = r.period_code and b.basis = r.basis
),
derived as (
    select
        d.indicator_code, nu.region_code, nu.period_code, nu.basis,
        d.factor * nu.observed_value / de.observed_value as observed_value,
        nu.period_grain, nu.period_start_date, nu.period_end_date
    from derivations as d
    inner join with_rollups as nu on d.numerator_indicator_code = nu.indicator_code
    inner join with_rollups as de
        on d.denominator_indicator_code = de.indicator_code and nu.region_code = de.region_code
        and nu.period_code = de.period_code and nu.basis = de.basis
    where de.observed_value != 0
)
select * from with_rollups
union all
select * from derived as x
anti join with_rollups as y
    on x.indicator_code = y.indicator_code and x.region_code = y.region_code
    and x.period_code = y.period_code and x.basis = y.basis;

-- Level and year-to-date value per indicator × region × reference date (target pairs only).
create or replace temp table indicator_values as
with
obs as (
    select c.* from completed as c
    semi join (select distinct indicator_code, region_code from targets) as t
        on c.indicator_code = t.indicator_code and c.region_code = t.region_code
),
levels as (
    select
        indicator_code, region_code, period_end_date,
        arg_min(
            observed_value,
            (case basis when 'end' then 1 else 2 end) * 10
            + case period_grain when 'year' then 1 when 'half' then 2 when 'quarter' then 3 else 4 end
        ) as level_value
    from obs
    where basis in ('end', 'period')
    group by all
),
monthly_flows as (
    select
        indicator_code, region_code, period_end_date,
        cast(sum(cast(observed_value as decimal(38, 10))) over y as double) as ytd_value,
        count(*) over y as months_reported
    from obs
    where basis = 'period' and period_grain = 'month'
    window y as (
        partition by indicator_code, region_code, year(period_end_date) order by period_end_date
        rows between unbounded preceding and current row
    )
),
ytd_candidates as (
    select indicator_code, region_code, period_end_date, observed_value as ytd_value, 1 as source_rank
    from obs where basis = 'ytd'
    union all
    select indicator_code, region_code, period_end_date, observed_value, 2
    from obs where basis = 'period' and period_grain = 'year'
    union all
    select indicator_code, region_code, period_end_date, ytd_value, 3
    from monthly_flows where months_reported = month(period_end_date)
),
ytd as (
    select indicator_code, region_code, period_end_date, arg_min(ytd_value, source_rank) as ytd_value
    from ytd_candidates
    group by all
)
select
    coalesce(l.indicator_code, y.indicator_code) as indicator_code,
    coalesce(l.region_code, y.region_code) as region_code,
    coalesce(l.period_end_date, y.period_end_date) as period_end_date,
    l.level_value, y.ytd_value
from levels as l
full join ytd as y
    on l.indicator_code = y.indicator_code and l.region_code = y.region_code
    and l.period_end_date = y.period_end_date;

-- Evaluations: one row per target version × reference date ------------------------------
create or replace temp table evaluated as
with
points as (
    select
        t.*, v.level_value, v.ytd_value, cast(null as double) as doc_value,
        'observation' as evidence_source, v.period_end_date as as_of_date
    from targets as t
    inner join indicator_values as v
        on t.indicator_code = v.indicator_code and t.region_code = v.region_code
    where
        v.period_end_date between t.plan_start_date and t.plan_end_date
        and v.period_end_date >= t.effective_from_date
        and (t.effective_to_date is null or v.period_end_date <= t.effective_to_date)
),
document_points as (
    select
        t.*, cast(null as double), cast(null as double), t.result_value,
        'plan_document', make_date(t.result_year, 12, 31)
    from targets as t
    where
        t.result_value is not null
        and make_date(t.result_year, 12, 31) between t.plan_start_date and t.plan_end_date
        and make_date(t.result_year, 12, 31) >= t.effective_from_date
        and (t.effective_to_date is null or make_date(t.result_year, 12, 31) <= t.effective_to_date)
        and not exists (
            select 1 from points as p
            where p.plan_code = t.plan_code and p.indicator_code = t.indicator_code
                and p.region_code = t.region_code and p.as_of_date = make_date(t.result_year, 12, 31)
        )
),
all_points as (
    select * from points
    union all
    select * from document_points
),
annual_totals as (
    select indicator_code, region_code, ytd_value as annual_value, year(period_end_date) as data_year
    from indicator_values
    where ytd_value is not null and month(period_end_date) = 12 and day(period_end_date) = 31
),
prior_years as (
    -- Only a cumulative target's actual value uses the finished years.
    select
        p.plan_code, p.indicator_code, p.region_code, p.as_of_date,
        cast(sum(cast(a.annual_value as decimal(38, 10))) as double) as prior_total,
        count(a.annual_value) as prior_years_reported
    from all_points as p
    inner join annual_totals as a
        on p.indicator_code = a.indicator_code and p.region_code = a.region_code
        and a.data_year >= p.start_year and a.data_year < year(p.as_of_date)
    where p.target_kind = 'cumulative'
    group by all
),
measured as (
    select
        p.*,
        case
            when p.evidence_source = 'plan_document' then p.doc_value
            when p.target_kind in ('level', 'bound_max', 'bound_min') then p.level_value
            when p.target_kind = 'annual' then p.ytd_value
            when p.target_kind = 'none' then coalesce(p.level_value, p.ytd_value)
            when
                p.target_kind = 'cumulative'
                and coalesce(y.prior_years_reported, 0) = year(p.as_of_date) - p.start_year
                then cast(
                    cast(coalesce(y.prior_total, 0) as decimal(38, 10))
                    + cast(p.ytd_value as decimal(38, 10)) as double
                )
        end as actual_value,
        cast((year(p.as_of_date) - p.start_year) * 12 + month(p.as_of_date) as double)
        / ((p.end_year - p.start_year + 1) * 12) as time_elapsed_ratio,
        cast(month(p.as_of_date) as double) / 12 as year_elapsed_ratio
    from all_points as p
    left join prior_years as y
        on p.plan_code = y.plan_code and p.indicator_code = y.indicator_code
        and p.region_code = y.region_code and p.as_of_date = y.as_of_date
),
firsts as (
    select
        *,
        first_value(actual_value) over ff as first_observed_value,
        min(case when actual_value is not null then as_of_date end) over s as first_observed_date
    from measured
    window
        s as (partition by plan_code, indicator_code, region_code),
        ff as (
            partition by plan_code, indicator_code, region_code
            order by actual_value is null, as_of_date
            rows between unbounded preceding and unbounded following
        )
),
imputed as (
    select
        *,
        target_kind = 'level' and baseline_value is null and target_value is not null
        and first_observed_value is not null as is_baseline_imputed
    from firsts
),
baselined as (
    select
        *,
        case when is_baseline_imputed then first_observed_value else baseline_value end as baseline_used_value,
        case
            when is_baseline_imputed
                then cast(
                    (year(as_of_date) - year(first_observed_date)) * 12
                    + month(as_of_date) - month(first_observed_date) as double
                ) / nullif((end_year - year(first_observed_date)) * 12 + 12 - month(first_observed_date), 0)
            else time_elapsed_ratio
        end as level_pace_basis,
        coalesce(
            trajectory_shape = 'geometric' and target_kind = 'level' and baseline_value > 0
            and target_value > 0 and not is_baseline_imputed,
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
    from imputed
),
ratios as (
    select
        *,
        case
            when actual_value is null or target_value is null then null
            when target_kind = 'bound_max' then null
            when
                target_kind = 'bound_min'
                and (target_comparator not in ('', '~') or baseline_value is distinct from target_value)
                then null
            when target_kind in ('cumulative', 'annual') then actual_value / nullif(target_value, 0)
            when direction = -1 then target_value / nullif(actual_value, 0)
            else actual_value / nullif(target_value, 0)
        end as attainment_ratio,
        case
            when target_kind in ('cumulative', 'annual') then actual_value / nullif(target_value, 0)
            when is_geometric and actual_value > 0
                then ln(actual_value / baseline_used_value) / nullif(ln(target_value / baseline_used_value), 0)
            when
                target_kind = 'level' and not is_baseline_at_target
                and not (is_baseline_imputed and as_of_date = first_observed_date)
                then (actual_value - baseline_used_value) / nullif(target_value - baseline_used_value, 0)
        end as baseline_progress,
        case
            when is_band
                then abs(cast(actual_value as decimal(38, 10)) - cast(target_value as decimal(38, 10)))
                <= cast(band_share * abs(target_value) as decimal(38, 10))
            when target_kind = 'bound_max' and target_comparator = '<' then actual_value < target_value
            when target_kind = 'bound_max' then actual_value <= target_value
            when target_kind = 'bound_min' and target_comparator = '>' then actual_value > target_value
            when target_kind = 'bound_min' then actual_value >= target_value
        end as is_compliant,
        case
            when target_kind = 'annual' then year_elapsed_ratio
            when target_kind = 'level' then level_pace_basis
            else time_elapsed_ratio
        end as pace_basis,
        time_elapsed_ratio * (end_year - start_year + 1) * 12 as t_months,
        cast((end_year - start_year + 1) * 12 as double) as plan_months,
        target_kind = 'level' and not is_baseline_imputed and baseline_value is not null
            as has_printed_baseline
    from baselined
),
paced as (
    select
        *,
        case when pace_basis >= 0.10 then baseline_progress / pace_basis end as pace_ratio,
        count(*) filter (where not is_compliant) over running as breaches_so_far,
        case
            when target_comparator = '>' then actual_value > target_value
            when target_comparator = '<' then actual_value < target_value
            when target_comparator = '~'
                then direction * (actual_value - target_value) >= -band_share * abs(target_value)
            else direction * (actual_value - target_value) >= 0
        end as is_target_met,
        as_of_date >= plan_end_date as is_final,
        lag(actual_value) over (partition by plan_code, indicator_code, region_code order by as_of_date)
            as previous_actual_value,
        sum(case when actual_value is not null then 1 + t_months / 12 end) over running as sum_w,
        sum(case when actual_value is not null then (1 + t_months / 12) * t_months end) over running as sum_wt,
        sum(case when actual_value is not null then (1 + t_months / 12) * t_months * t_months end)
            over running as sum_wtt,
        sum(case when actual_value is not null then (1 + t_months / 12) * actual_value end) over running as sum_wy,
        sum(case when actual_value is not null then (1 + t_months / 12) * t_months * actual_value end)
            over running as sum_wty
    from ratios
    window running as (
        partition by plan_code, indicator_code, region_code order by as_of_date
        rows between unbounded preceding and current row
    )
),
sums as (
    select
        *,
        sum_w + case when has_printed_baseline then 1 else 0 end as s_w,
        sum_wt as s_wt,
        sum_wtt as s_wtt,
        sum_wy + case when has_printed_baseline then baseline_value else 0 end as s_wy,
        sum_wty as s_wty
    from paced
),
regressed as (
    select *, (s_w * s_wty - s_wt * s_wy) / nullif(s_w * s_wtt - s_wt * s_wt, 0) as trend_slope
    from sums
),
trajectory as (
    select
        *,
        case
            when is_geometric then baseline_used_value * pow(target_value / baseline_used_value, pace_basis)
            when target_kind = 'level' then baseline_used_value + pace_basis * (target_value - baseline_used_value)
            when target_kind = 'cumulative' then time_elapsed_ratio * target_value
            when target_kind = 'annual' then year_elapsed_ratio * target_value
        end as expected_value,
        case
            when is_geometric and actual_value > 0 and pace_basis > 0
                then baseline_used_value * pow(actual_value / baseline_used_value, 1 / pace_basis)
            when target_kind in ('level', 'bound_max', 'bound_min') and trend_slope is not null
                then (s_wy - trend_slope * s_wt) / s_w + trend_slope * plan_months
            when target_kind = 'cumulative' and time_elapsed_ratio > 0 then actual_value / time_elapsed_ratio
            when target_kind = 'annual' and year_elapsed_ratio > 0 then actual_value / year_elapsed_ratio
        end as projected_end_value,
        case
            when is_band
                then cast(
                    cast(band_share * abs(target_value) as decimal(38, 10))
                    - abs(cast(actual_value as decimal(38, 10)) - cast(target_value as decimal(38, 10)))
                    as double
                )
            when target_kind = 'bound_max'
                then cast(cast(target_value as decimal(38, 10)) - cast(actual_value as decimal(38, 10)) as double)
            when target_kind = 'bound_min'
                then cast(cast(actual_value as decimal(38, 10)) - cast(target_value as decimal(38, 10)) as double)
        end as headroom,
        coalesce(on_track_min_pace, 0.95) as on_track_cut,
        coalesce(needs_acceleration_min_pace, 0.60) as needs_acceleration_cut,
        coalesce(ahead_min_pace, 1.10) as ahead_cut,
        coalesce(at_risk_headroom, case when unit = '%' then 0.2 else 0.05 * abs(target_value) end)
            as at_risk_cut
    from regressed
)
select
    plan_code, indicator_code, region_code, attribute, as_of_date,
    case
        when actual_value is null then 'no_data'
        when target_value is null and direction * (actual_value - previous_actual_value) > 0 then 'improving'
        when target_value is null and direction * (actual_value - previous_actual_value) < 0 then 'worsening'
        when target_value is null then 'no_data'
        when is_final and target_kind in ('bound_max', 'bound_min')
            then case
                when is_compliant and (attribute != 'binding' or breaches_so_far = 0) then 'achieved'
                else 'not_achieved'
            end
        when is_final then case when is_target_met then 'achieved' else 'not_achieved' end
        when target_kind in ('bound_max', 'bound_min') and not is_compliant
            then case
                when is_band and actual_value > target_value then 'breached'
                when is_band or target_kind = 'bound_min' then 'below_floor'
                else 'breached'
            end
        when is_band and abs(projected_end_value - target_value) > band_share * abs(target_value) then 'at_risk'
        when is_band then 'compliant'
        when
            target_kind in ('bound_max', 'bound_min')
            and (
                headroom < at_risk_cut
                or (target_kind = 'bound_max' and projected_end_value > target_value)
                or (target_kind = 'bound_min' and projected_end_value < target_value)
            )
            then 'at_risk'
        when target_kind in ('bound_max', 'bound_min') then 'compliant'
        when is_target_met then 'achieved_early'
        when is_baseline_at_target then 'regressing'
        when pace_basis < 0.10 then 'too_early'
        when baseline_progress is null then 'no_data'
        when pace_ratio >= on_track_cut then 'on_track'
        when pace_ratio >= needs_acceleration_cut then 'needs_acceleration'
        when pace_ratio >= 0 then 'lagging'
        else 'regressing'
    end as status,
    actual_value, attainment_ratio, baseline_progress, time_elapsed_ratio, pace_basis, pace_ratio,
    expected_value, projected_end_value,
    coalesce(pace_ratio >= ahead_cut, false) as is_ahead
from trajectory;

-- The scorecard: every month-end of each current target's plan, the latest evaluation at
-- or before it -------------------------------------------------------------------------
create or replace temp table statuses as
select status_code, cast(is_good as boolean) as is_good, evaluation_category_zh
from read_csv('${CATALOG}/progress_statuses.csv', header = true, all_varchar = true);

create schema if not exists handwritten;

create or replace table handwritten.fct_plan_progress as
with
latest as (
    select max(period_end_date) as latest_data_date from w.raw.observations
),
plan_ends as (
    select plan_code, max(as_of_date) as last_evaluated_date from evaluated group by plan_code
),
months as (
    select
        t.plan_code, t.indicator_code, t.region_code, t.attribute, t.start_year, t.plan_end_year,
        last_day(cast(m.month_start as date)) as as_of_date
    from targets as t
    cross join latest
    left join plan_ends as e on t.plan_code = e.plan_code
    cross join lateral (
        select month_start
        from generate_series(
            cast(t.plan_start_date as timestamp),
            cast(greatest(
                least(coalesce(latest.latest_data_date, t.plan_start_date), t.plan_last_date),
                coalesce(e.last_evaluated_date, t.plan_start_date),
                t.plan_start_date
            ) as timestamp),
            interval 1 month
        ) as g (month_start)
    ) as m
    where t.effective_to_date is null
),
carried as (
    select
        m.plan_code, m.indicator_code, m.region_code, m.as_of_date,
        coalesce(e.attribute, m.attribute) as attribute,
        coalesce(e.status, 'no_data') as status,
        e.actual_value, e.attainment_ratio, e.baseline_progress,
        coalesce(
            e.time_elapsed_ratio,
            cast((year(m.as_of_date) - m.start_year) * 12 + month(m.as_of_date) as double)
            / ((m.plan_end_year - m.start_year + 1) * 12)
        ) as time_elapsed_ratio,
        e.pace_basis, e.pace_ratio, e.expected_value, e.projected_end_value,
        coalesce(e.is_ahead, false) as is_ahead
    from months as m
    asof left join evaluated as e
        on m.plan_code = e.plan_code and m.indicator_code = e.indicator_code
        and m.region_code = e.region_code and m.as_of_date >= e.as_of_date
)
select
    c.plan_code, c.indicator_code, c.region_code, c.as_of_date, c.status,
    c.actual_value, c.attainment_ratio, c.baseline_progress, c.time_elapsed_ratio, c.pace_basis,
    c.pace_ratio, c.expected_value, c.projected_end_value,
    case
        when s.is_good or c.status in ('no_data', 'too_early') then null
        when c.attribute = 'binding' then 'high'
        when c.status in ('lagging', 'regressing', 'breached', 'below_floor', 'not_achieved') then 'medium'
        else 'low'
    end as severity,
    case when c.status = 'on_track' and c.is_ahead then '快于预期' else s.evaluation_category_zh end
        as evaluation_category_zh
from carried as c
inner join statuses as s on c.status = s.status_code;
