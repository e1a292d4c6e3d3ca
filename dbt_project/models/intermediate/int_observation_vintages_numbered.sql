{{
    config(
        materialized='incremental',
        unique_key='vintage_id',
        on_schema_change='append_new_columns'
    )
}}
-- Every delivered figure (vintage) of each observation key, numbered in order of
-- arrival: vintage_number 1 is the figure as first published. Nothing here changes once
-- written — a later delivery only adds higher numbers — so the model is incremental:
-- a night's run numbers only the rows of the files this table has not seen yet (a file
-- is one delivery of one batch, raw.file_ledger's key; a run killed before this model
-- committed leaves its files unseen, so the next run takes them). Their keys' earlier
-- vintages come from this table; the cost follows the new data, not the history.
-- (`hrss run --as-of` filters periods downstream, in int_observations_deduplicated.)
with

observations as (

    select * from {{ ref('stg_raw__observations') }}
    {% if is_incremental() %}
        -- Only the files (deliveries) not numbered yet: no hash of the whole history.
        where file_sha256 not in (select distinct existing.file_sha256 from {{ this }} as existing)
    {% endif %}

),

keyed as (

    select
        *,
        md5(
            file_sha256 || '|' || coalesce(sheet_name, '') || '|' || row_number || '|'
            || coalesce(column_label, '')
        ) as vintage_id

    from observations

),

{% if is_incremental() %}

    new_rows as (

        select * from keyed

    ),

    earlier as (

        -- What the table already knows of the keys tonight's rows belong to.
        select
            existing.indicator_code,
            existing.region_code,
            existing.period_code,
            existing.basis,
            max(existing.vintage_number) as last_vintage_number,
            {{ value_at_min('existing.observed_value', 'existing.vintage_number') }} as first_value_so_far,
            {{ value_at_min('existing.batch_id', 'existing.vintage_number') }} as first_batch_so_far

        from {{ this }} as existing
        where exists (
            select 1
            from new_rows
            where
                new_rows.indicator_code = existing.indicator_code
                and new_rows.region_code = existing.region_code
                and new_rows.period_code = existing.period_code
                and new_rows.basis = existing.basis
        )
        group by existing.indicator_code, existing.region_code, existing.period_code, existing.basis

    ),

{% else %}

    new_rows as (

        select * from keyed

    ),

    earlier as (

        select
            cast(null as varchar) as indicator_code,
            cast(null as varchar) as region_code,
            cast(null as varchar) as period_code,
            cast(null as varchar) as basis,
            cast(null as integer) as last_vintage_number,
            cast(null as float8) as first_value_so_far,
            cast(null as varchar) as first_batch_so_far
        where false

    ),

{% endif %}

final as (

    select
        new_rows.*,
        cast(
            coalesce(earlier.last_vintage_number, 0) + row_number() over arrival as integer
        ) as vintage_number,
        coalesce(earlier.first_value_so_far, first_value(new_rows.observed_value) over arrival)
            as first_published_value,
        coalesce(earlier.first_batch_so_far, first_value(new_rows.batch_id) over arrival)
            as first_published_batch_id,
        -- When this row was numbered: int_observations_deduplicated takes what came after
        -- the latest it holds.
        cast(current_timestamp as timestamp) as numbered_at

    from new_rows
    left join earlier
        on
            new_rows.indicator_code = earlier.indicator_code
            and new_rows.region_code = earlier.region_code
            and new_rows.period_code = earlier.period_code
            and new_rows.basis = earlier.basis
    window arrival as (
        partition by new_rows.indicator_code, new_rows.region_code, new_rows.period_code, new_rows.basis
        order by
            new_rows.received_at asc,
            new_rows.file_name asc,
            new_rows.row_number asc,
            new_rows.column_label asc
    )

)

select * from final
