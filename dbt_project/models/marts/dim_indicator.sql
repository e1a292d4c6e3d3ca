with

indicators as (

    select * from {{ ref('stg_catalog__indicators') }}

),

final as (

    select
        indicator_code,
        domain_code,
        indicator_name_zh,
        indicator_name_en,
        domain_name_zh,
        unit,
        direction,
        is_additive

    from indicators

)

select * from final
