with

source as (

    select * from {{ ref('regions') }}

),

renamed as (

    select
        region_code,
        region_name_zh,
        region_level,
        parent_region_code

    from source

)

select * from renamed
