-- The delivered figures, completed where the catalog says how:
--   rolled_up: an additive indicator's region = Σ of its districts and counties, only
--              when every one of them reported (a partial sum would understate it);
--   derived:   a ratio the catalog defines from two indicators, recomputed from
--              them (高技能人才占技能人才比例 = 高技能人才 / 技能人才 × 100), never averaged.
-- A delivered figure always wins over a computed one for the same key.
-- Only what progress is measured on: the indicator × region pairs some plan target
-- names and the components of those derived from others (the same region), as
-- delivered for the region itself or for the areas it is the sum of (at national scale
-- about a fifth of all figures).
with

targets as (

    select * from {{ ref('stg_catalog__plan_targets') }}

),

derivations as (

    select * from {{ ref('stg_catalog__indicator_derivations') }}

),

regions as (

    select * from {{ ref('stg_catalog__regions') }}

),

targeted_pairs as (

    select targets.indicator_code, targets.region_code from targets
    union
    select derivations.numerator_indicator_code, targets.region_code
    from derivations
    inner join targets on derivations.indicator_code = targets.indicator_code
    union
    select derivations.denominator_indicator_code, targets.region_code
    from derivations
    inner join targets on derivations.indicator_code = targets.indicator_code

),

reporting_pairs as (

    -- The target's region and the areas below it (a roll-up sums them).
    select targeted_pairs.indicator_code, targeted_pairs.region_code from targeted_pairs
    union
    select targeted_pairs.indicator_code, regions.region_code
    from targeted_pairs
    inner join regions on targeted_pairs.region_code = regions.parent_region_code

),

reported as (

    select deduplicated.*
    from {{ ref('int_observations_deduplicated') }} as deduplicated
    inner join reporting_pairs
        on
            deduplicated.indicator_code = reporting_pairs.indicator_code
            and deduplicated.region_code = reporting_pairs.region_code

),

indicators as (

    select * from {{ ref('stg_catalog__indicators') }}

),

delivered as (

    select
        indicator_code,
        region_code,
        period_code,
        period_grain,
        basis,
        observed_value,
        period_start_date,
        period_end_date,
        'reported' as value_source

    from reported

),

sub_regions as (

    -- Districts and counties make up their city; a new area overlaps them, so it is
    -- not part of the sum.
    select
        region_code,
        parent_region_code,
        count(*) over (partition by parent_region_code) as siblings

    from regions
    where region_level in ('district', 'county')

),

rolled_up as (

    select
        delivered.indicator_code,
        sub_regions.parent_region_code as region_code,
        delivered.period_code,
        delivered.period_grain,
        delivered.basis,
        cast(sum(cast(delivered.observed_value as decimal(38, 10))) as float8) as observed_value,
        min(delivered.period_start_date) as period_start_date,
        max(delivered.period_end_date) as period_end_date,
        'rolled_up' as value_source

    from delivered
    inner join sub_regions on delivered.region_code = sub_regions.region_code
    inner join indicators on delivered.indicator_code = indicators.indicator_code
    where indicators.is_additive
    group by
        delivered.indicator_code,
        sub_regions.parent_region_code,
        delivered.period_code,
        delivered.period_grain,
        delivered.basis,
        sub_regions.siblings
    having count(*) = sub_regions.siblings

),

with_rollups as (

    select * from delivered
    union all
    select * from rolled_up
    where not exists (
        select 1
        from delivered
        where
            delivered.indicator_code = rolled_up.indicator_code
            and delivered.region_code = rolled_up.region_code
            and delivered.period_code = rolled_up.period_code
            and delivered.basis = rolled_up.basis
    )

),

derived as (

    select
        derivations.indicator_code,
        numerators.region_code,
        numerators.period_code,
        numerators.period_grain,
        numerators.basis,
        derivations.factor * numerators.observed_value / denominators.observed_value as observed_value,
        numerators.period_start_date,
        numerators.period_end_date,
        'derived' as value_source

    from derivations
    inner join with_rollups as numerators
        on derivations.numerator_indicator_code = numerators.indicator_code
    inner join with_rollups as denominators
        on
            derivations.denominator_indicator_code = denominators.indicator_code
            and numerators.region_code = denominators.region_code
            and numerators.period_code = denominators.period_code
            and numerators.basis = denominators.basis
    where denominators.observed_value != 0

),

final as (

    select * from with_rollups
    union all
    select * from derived
    where not exists (
        select 1
        from with_rollups
        where
            with_rollups.indicator_code = derived.indicator_code
            and with_rollups.region_code = derived.region_code
            and with_rollups.period_code = derived.period_code
            and with_rollups.basis = derived.basis
    )

)

select * from final
