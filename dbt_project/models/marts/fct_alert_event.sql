-- Every alert the warehouse raised, per channel it was routed to: what, when, to
-- which channel (by label; URLs and tokens are never stored), delivered or not. An
-- event no channel took (none configured, or filtered out) has one row without one.
with

events as (

    select * from {{ ref('stg_raw__alert_events') }}

),

deliveries as (

    select * from {{ ref('stg_raw__alert_deliveries') }}

),

final as (

    select
        md5(events.alert_event_id || '|' || coalesce(deliveries.channel_id, '')) as alert_delivery_id,
        events.alert_event_id,
        events.event_kind,
        events.plan_code,
        events.indicator_code,
        events.region_code,
        events.domain_code,
        events.status,
        events.previous_status,
        events.severity,
        events.title_zh,
        events.message_zh,
        events.message_en,
        events.batch_id,
        deliveries.channel_id,
        deliveries.channel_label,
        coalesce(deliveries.attempt_count, 0) as attempt_count,
        coalesce(deliveries.is_delivered, false) as is_delivered,
        deliveries.last_error_text,
        events.detected_at,
        deliveries.delivered_at,
        deliveries.last_attempt_at

    from events
    left join deliveries on events.alert_event_id = deliveries.alert_event_id

)

select * from final
