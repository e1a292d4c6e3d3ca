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
        due_day,
        -- What the figure is published as (period 当期 / ytd 累计 / end 期末): the 口径 the
        -- reporting template (`hrss template`) asks for.
        basis

    from source

)

select * from renamed
