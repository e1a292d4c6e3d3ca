with

source as (

    select * from {{ ref('progress_statuses') }}

),

renamed as (

    select
        status_code,
        status_zh,
        status_en,
        sort_order,
        is_good

    from source

)

select * from renamed
