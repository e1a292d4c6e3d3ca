-- Every version of every plan target by the dates it is in force: which target
-- applied on a given day (fct_plan_progress uses the version in force at as_of_date).
with

targets as (

    select * from {{ ref('stg_catalog__plan_targets') }}

),

final as (

    select
        plan_code,
        indicator_code,
        region_code,
        target_kind,
        target_comparator,
        target_notation,
        source_ref,
        direction,
        baseline_value,
        target_year,
        target_value,
        is_current,
        effective_from_date,
        effective_to_date

    from targets

)

select * from final
