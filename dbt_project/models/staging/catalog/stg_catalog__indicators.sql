with

source as (

    select * from {{ ref('indicators') }}

),

renamed as (

    select
        indicator_code,
        indicator_name_zh,
        indicator_name_en,
        domain_code,
        domain_name_zh,
        unit,
        direction,
        is_additive

    from source

)

select * from renamed
