with

source as (

    select * from {{ source('raw', 'alert_events') }}

),

renamed as (

    select
        event_id as alert_event_id,
        event_kind,
        event_key,
        plan_code,
        indicator_code,
        region_code,
        domain_code,
        status,
        previous_status,
        severity,
        title_zh,
        message_zh,
        message_en,
        batch_id,
        cast(detected_at as timestamp) as detected_at

    from source

)

select * from renamed
