with

source as (

    select * from {{ source('raw', 'observations') }}

),

renamed as (

    select
        batch_id,
        file_sha256,
        file_name,
        indicator_code,
        region_code,
        period_code,
        period_grain,
        basis,
        unit,
        value_as_reported,
        unit_as_reported,
        source as source_text,
        note as note_text,
        sheet_name,
        column_label,
        cast(row_number as integer) as row_number,
        cast(value as float8) as observed_value,
        cast(period_start_date as date) as period_start_date,
        cast(period_end_date as date) as period_end_date,
        cast(received_at as timestamp) as received_at

    from source

)

select * from renamed
