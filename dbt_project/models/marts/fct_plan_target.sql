with

targets as (

    select * from {{ ref('stg_catalog__plan_targets') }}
    where is_current

),

final as (

    select
        plan_code,
        indicator_code,
        region_code,
        parent_indicator_code,
        indicator_name_as_written,
        target_kind,
        trajectory_shape,
        attribute,
        unit,
        baseline_comparator,
        baseline_notation,
        target_comparator,
        target_notation,
        result_notation,
        source_ref,
        note_text,
        indicator_seq,
        direction,
        baseline_year,
        baseline_value,
        target_year,
        target_value,
        target_growth_rate,
        result_year,
        result_value,
        effective_from_date

    from targets

)

select * from final
