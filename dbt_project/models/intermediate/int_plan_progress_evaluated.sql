{{ config(materialized='table') }}
-- A table, not the folder's view: fct_plan_progress reads it three times (its bounds,
-- the targets with any evaluation, the as-of join) and its data test would re-run the
-- steps before it.
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
--
-- Four steps, each a model named for its section of docs/formulas.md:
--   int_progress_points_measured   points and their actual value
--   int_progress_points_paced      baseline used, ratios, pace
--   int_seasonal_shares_derived    last year's rhythm of a flow
--   int_progress_points_projected  trajectory, projection, headroom
--   int_plan_progress_evaluated    (this model) cut-offs and the status (first match wins)
with

projected as (

    select * from {{ ref('int_progress_points_projected') }}

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
