with

source as (

    select * from {{ ref('indicator_derivations') }}

),

renamed as (

    select
        indicator_code,
        numerator_indicator_code,
        denominator_indicator_code,
        factor

    from source

)

select * from renamed
