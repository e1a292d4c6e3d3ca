-- One row per observation key (indicator × region × period × basis): the latest
-- vintage wins; every earlier vintage stays in raw.observations (history).
with

observations as (

    select * from {{ ref('stg_raw__observations') }}

),

in_scope as (

    select *
    from observations
    {% if var('as_of_date') %}
        -- `hrss run --as-of YYYY-MM`: evaluate as if later figures had not arrived.
        where period_end_date <= cast('{{ var("as_of_date") }}' as date)
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by indicator_code, region_code, period_code, basis
            order by received_at desc, file_name desc, row_number desc
        ) as vintage_rank,
        count(*) over (
            partition by indicator_code, region_code, period_code, basis
        ) as vintage_count,
        first_value(observed_value) over (
            partition by indicator_code, region_code, period_code, basis
            order by received_at asc, file_name asc, row_number asc
            rows between unbounded preceding and unbounded following
        ) as first_published_value

    from in_scope

),

final as (

    select
        md5(indicator_code || '|' || region_code || '|' || period_code || '|' || basis) as observation_id,
        indicator_code,
        region_code,
        period_code,
        period_grain,
        basis,
        unit,
        value_as_reported,
        unit_as_reported,
        source_text,
        note_text,
        file_name,
        file_sha256,
        row_number,
        observed_value,
        first_published_value,
        vintage_count,
        period_start_date,
        period_end_date,
        received_at

    from ranked
    where vintage_rank = 1

)

select * from final
