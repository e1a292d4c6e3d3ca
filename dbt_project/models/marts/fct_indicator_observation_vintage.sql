{{
    config(
        materialized='incremental',
        unique_key='vintage_id',
        on_schema_change='append_new_columns'
    )
}}
-- Every figure ever delivered for an observation key, oldest first: the revision
-- history behind fct_indicator_observation (which holds the latest vintage and the
-- vintage count). A row never changes once written, so the table only grows by the
-- figures each night delivers.
with

numbered as (

    select * from {{ ref('int_observation_vintages_numbered') }}
    {% if is_incremental() %}
        -- The deliveries (files) this table has not copied yet.
        where file_sha256 not in (select distinct existing.file_sha256 from {{ this }} as existing)
    {% endif %}

),

final as (

    select
        vintage_id,
        md5(indicator_code || '|' || region_code || '|' || period_code || '|' || basis) as observation_id,
        indicator_code,
        region_code,
        period_code,
        basis,
        vintage_number,
        vintage_number = 1 as is_first_published,
        observed_value as value,
        first_published_value,
        observed_value - first_published_value as change_from_first_published,
        value_as_reported,
        unit_as_reported,
        batch_id,
        file_name,
        file_sha256,
        sheet_name as source_sheet_name,
        row_number as source_row_number,
        column_label as source_column_label,
        received_at

    from numbered

)

select * from final
