with

source as (

    select * from {{ ref('plans') }}

),

renamed as (

    select
        plan_code,
        plan_name_zh,
        region_code,
        source_ref,
        start_year,
        end_year,
        baseline_year,
        make_date(start_year, 1, 1) as plan_start_date,
        make_date(end_year, 12, 31) as plan_end_date

    from source

)

select * from renamed
