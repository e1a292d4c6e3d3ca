with

source as (

    select * from {{ ref('plan_indicators') }}

),

plans as (

    select * from {{ ref('plans') }}

),

renamed as (

    select
        source.plan_code,
        source.indicator_code,
        -- A plan's targets are set for the plan's own region.
        plans.region_code,
        source.parent_indicator_code,
        source.indicator_name_as_written,
        source.unit,
        source.target_kind,
        source.attribute,
        coalesce(source.baseline_comparator, '') as baseline_comparator,
        source.baseline_notation,
        coalesce(source.target_comparator, '') as target_comparator,
        source.target_notation,
        source.result_notation,
        source.source_ref,
        source.note as note_text,
        source.indicator_seq,
        source.direction,
        source.baseline_year,
        source.baseline_value,
        source.target_year,
        source.target_value,
        source.result_year,
        source.result_value

    from source
    inner join plans on source.plan_code = plans.plan_code

)

select * from renamed
