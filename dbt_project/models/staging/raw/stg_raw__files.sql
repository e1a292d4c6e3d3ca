with

source as (

    select * from {{ source('raw', 'file_ledger') }}

),

renamed as (

    select
        file_sha256,
        file_name,
        source_path,
        archive_path,
        batch_id,
        status as load_status,
        first_error,
        cast(size_bytes as bigint) as size_bytes,
        cast(rows_in as integer) as rows_in,
        cast(rows_loaded as integer) as rows_loaded,
        cast(rows_quarantined as integer) as rows_quarantined,
        cast(received_at as timestamp) as received_at

    from source

)

select * from renamed
