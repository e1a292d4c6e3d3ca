-- Per-indicator status cut-offs a bureau sets for itself; an empty cell keeps the
-- project default (dbt vars on_track_min_pace, needs_acceleration_min_pace,
-- ahead_min_pace, at_risk_headroom_pp / at_risk_headroom_share, about_band_share).
with

source as (

    select * from {{ ref('status_thresholds') }}

),

renamed as (

    select
        indicator_code,
        on_track_min_pace,
        needs_acceleration_min_pace,
        ahead_min_pace,
        at_risk_headroom,
        about_band_share,
        note as note_text

    from source

)

select * from renamed
