-- What the catalog said about each plan target, and from when to when the warehouse
-- held it (dbt snapshot of the catalog, SCD type 2).
with

history as (

    select * from {{ ref('snp_catalog__plan_targets') }}

),

final as (

    select
        plan_code,
        indicator_code,
        region_code,
        target_kind,
        target_notation,
        baseline_notation,
        source_ref,
        note_text,
        direction,
        baseline_value,
        target_value,
        dbt_valid_to is null as is_current,
        effective_from_date,
        cast(dbt_valid_from as timestamp) as valid_from_at,
        cast(dbt_valid_to as timestamp) as valid_to_at

    from history

)

select * from final
