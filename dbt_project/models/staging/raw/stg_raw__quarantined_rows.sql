with

source as (

    select * from {{ source('raw', 'quarantined_rows') }}

),

renamed as (

    select
        batch_id,
        file_sha256,
        file_name,
        field_name,
        reason_code,
        message_zh,
        raw_record,
        sheet_name,
        column_label,
        cast(row_number as integer) as row_number,
        cast(quarantined_at as timestamp) as quarantined_at

    from source

)

select * from renamed
