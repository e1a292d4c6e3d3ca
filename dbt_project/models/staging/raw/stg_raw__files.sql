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
        sheets as sheet_names,
        layout as layout_code,
        encoding as encoding_name,
        notes as load_notes,
        cast(missing_cells as integer) as missing_cells,
        cast(size_bytes as bigint) as size_bytes,
        cast(rows_in as integer) as rows_in,
        cast(rows_loaded as integer) as rows_loaded,
        cast(rows_quarantined as integer) as rows_quarantined,
        cast(received_at as timestamp) as received_at

    from source

)

select * from renamed
