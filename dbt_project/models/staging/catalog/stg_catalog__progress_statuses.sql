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
        is_good,
        evaluation_category_zh

    from source

)

select * from renamed
