with

source as (

    select * from {{ source('raw', 'alert_deliveries') }}

),

renamed as (

    select
        event_id as alert_event_id,
        channel_id,
        channel_label,
        last_error as last_error_text,
        cast(attempt_count as integer) as attempt_count,
        cast(is_delivered as boolean) as is_delivered,
        cast(delivered_at as timestamp) as delivered_at,
        cast(last_attempt_at as timestamp) as last_attempt_at

    from source

)

select * from renamed
