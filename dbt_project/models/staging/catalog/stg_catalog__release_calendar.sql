with

source as (

    select * from {{ ref('release_calendar') }}

),

renamed as (

    select
        indicator_code,
        frequency as frequency_code,
        publisher_zh,
        due_months_after,
        due_day

    from source

)

select * from renamed
