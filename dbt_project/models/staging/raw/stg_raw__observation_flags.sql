with

source as (

    select * from {{ source('raw', 'observation_flags') }}

),

renamed as (

    select
        batch_id,
        file_sha256,
        file_name,
        indicator_code,
        region_code,
        period_code,
        basis,
        rule_code,
        severity,
        message_zh,
        cast(row_number as integer) as row_number,
        cast(flagged_at as timestamp) as flagged_at

    from source

)

select * from renamed
