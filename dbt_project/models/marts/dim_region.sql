with

regions as (

    select * from {{ ref('stg_catalog__regions') }}

),

final as (

    select
        region_code,
        parent_region_code,
        region_name_zh,
        region_level

    from regions

)

select * from final
