with

plans as (

    select * from {{ ref('stg_catalog__plans') }}

),

final as (

    select
        plan_code,
        region_code,
        plan_name_zh,
        source_ref,
        start_year,
        end_year,
        baseline_year,
        plan_start_date,
        plan_end_date

    from plans

)

select * from final
