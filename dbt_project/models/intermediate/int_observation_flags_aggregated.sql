-- The validation warnings that stand on each published figure: those raised on the
-- delivery its latest vintage came from (a revision by a clean file clears them).
with

observations as (

    select * from {{ ref('int_observations_deduplicated') }}

),

flags as (

    select * from {{ ref('stg_raw__observation_flags') }}

),

final as (

    select
        observations.observation_id,
        observations.indicator_code,
        observations.region_code,
        observations.period_end_date,
        string_agg(distinct flags.rule_code, ',' order by flags.rule_code) as validation_rule_codes,
        string_agg(distinct flags.message_zh, '；' order by flags.message_zh) as validation_flags

    from observations
    inner join flags
        on
            observations.file_sha256 = flags.file_sha256
            and observations.indicator_code = flags.indicator_code
            and observations.region_code = flags.region_code
            and observations.period_code = flags.period_code
            and observations.basis = flags.basis
    group by
        observations.observation_id,
        observations.indicator_code,
        observations.region_code,
        observations.period_end_date

)

select * from final
