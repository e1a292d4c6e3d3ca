{#- One SQL for DuckDB (the embedded default) and PostgreSQL (shared serving): the two
    idioms PostgreSQL cannot take as a function (integer division, arg_min) are macros;
    DuckDB's date functions are defined on PostgreSQL once, by postgres_compat_functions. -#}

{#- Integer division: 7 // 3 = 2 on both. -#}
{% macro int_div(numerator, denominator) -%}
    {%- if target is defined and target.type == 'postgres' -%}
        cast(div(cast({{ numerator }} as numeric), cast({{ denominator }} as numeric)) as integer)
    {%- else -%}
        (({{ numerator }}) // ({{ denominator }}))
    {%- endif -%}
{%- endmacro %}




{#- The value of the row with the smallest `ordering` (DuckDB arg_min). -#}
{% macro value_at_min(value, ordering) -%}
    {%- if target is defined and target.type == 'postgres' -%}
        (array_agg({{ value }} order by {{ ordering }}))[1]
    {%- else -%}
        arg_min({{ value }}, {{ ordering }})
    {%- endif -%}
{%- endmacro %}

{#- DuckDB date functions the models use, defined on PostgreSQL (on-run-start), so the
    same SQL runs on both. Pure functions of their arguments (IMMUTABLE). -#}
{% macro postgres_compat_functions() -%}
    {%- if target is defined and target.type == 'postgres' -%}
        create or replace function public.to_months(integer) returns interval
            language sql immutable as $$ select make_interval(months => $1) $$;
        create or replace function public.last_day(date) returns date
            language sql immutable as $$ select cast(date_trunc('month', $1) + interval '1 month' - interval '1 day' as date) $$;
        create or replace function public.last_day(timestamp) returns date
            language sql immutable as $$ select cast(date_trunc('month', $1) + interval '1 month' - interval '1 day' as date) $$;
        create or replace function public.strftime(date, text) returns text
            language sql immutable as $$ select to_char($1, replace(replace(replace($2, '%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD')) $$;
        create or replace function public.year(date) returns integer
            language sql immutable as $$ select cast(extract(year from $1) as integer) $$;
        create or replace function public.month(date) returns integer
            language sql immutable as $$ select cast(extract(month from $1) as integer) $$;
        create or replace function public.day(date) returns integer
            language sql immutable as $$ select cast(extract(day from $1) as integer) $$;
        create or replace function public.round(double precision, integer) returns double precision
            language sql immutable as $$ select cast(round(cast($1 as numeric), $2) as double precision) $$;
        create or replace function public.quarter(date) returns integer
            language sql immutable as $$ select cast(extract(quarter from $1) as integer) $$;
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The as_of_date an incremental model was built with (a date far ahead without one),
    stored on its rows so that a run with another one rebuilds it. -#}
{% macro as_of_limit() -%}
    cast('{{ var("as_of_date") or "9999-12-31" }}' as date)
{%- endmacro %}
