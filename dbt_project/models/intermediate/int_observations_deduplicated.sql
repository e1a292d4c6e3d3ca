{{
    config(
        materialized='incremental',
        unique_key='observation_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where as_of_limit is distinct from {{ as_of_limit() }}{% endif %}"
    )
}}
-- One row per observation key (indicator × region × period × basis): the latest
-- vintage wins; every vintage stays in int_observation_vintages_numbered (history).
-- Limited to var('as_of_date') when set (`hrss run --as-of`: evaluate as if later
-- figures had not arrived).
-- Incremental, not the folder's view: seven models read it (fct_plan_progress alone
-- three times) and its data tests would each re-run the chain from every vintage.
-- A night takes the vintages numbered since this table's latest (numbered_at): vintage
-- numbers run 1..n per key, so the key's latest new vintage is its latest, and n its
-- count. A run killed before this model committed leaves its vintages unseen; the next
-- run takes them. A run with another as_of_date than the table was built with (the
-- pre_hook deletes every row then) rebuilds it whole.
with

vintages as (

    select * from {{ ref('int_observation_vintages_numbered') }}
    {% if is_incremental() %}
        where numbered_at > (
            select coalesce(max(existing.numbered_at), cast('1900-01-01' as timestamp))
            from {{ this }} as existing
        )
    {% endif %}

),

in_scope as (

    select
        *,
        max(vintage_number) over key_rows as last_vintage_number

    from vintages
    {% if var('as_of_date') %}
        where period_end_date <= cast('{{ var("as_of_date") }}' as date)
    {% endif %}
    window key_rows as (partition by indicator_code, region_code, period_code, basis)

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
        sheet_name,
        column_label,
        batch_id,
        observed_value,
        first_published_value,
        first_published_batch_id,
        -- Vintages are numbered 1..n per key: the latest's number is the count.
        cast(vintage_number as bigint) as vintage_count,
        period_start_date,
        period_end_date,
        received_at,
        numbered_at,
        {{ as_of_limit() }} as as_of_limit

    from in_scope
    where vintage_number = last_vintage_number

)

select * from final
