-- Every source's FOCUS rows in one relation. focus_cast_columns() selects the canonical
-- columns by name (macros/focus/focus_columns.sql) and casts each to its type, so every
-- format model must produce every column (a missing one fails at build time) and no union
-- can shift a column into its neighbour.
with aws_cur as (

    select {{ focus_cast_columns() }}
    from {{ ref('int_aws_cur__focus') }}

),

aws_cur2 as (

    select {{ focus_cast_columns() }}
    from {{ ref('int_aws_cur2__focus') }}

),

azure as (

    select {{ focus_cast_columns() }}
    from {{ ref('int_azure__focus') }}

),

gcp_billing as (

    select {{ focus_cast_columns() }}
    from {{ ref('int_gcp_billing__focus') }}

),

focus_files as (

    select {{ focus_cast_columns() }}
    from {{ ref('int_focus__focus') }}

),

unioned as (

    select * from aws_cur
    union all
    select * from aws_cur2
    union all
    select * from azure
    union all
    select * from gcp_billing
    union all
    select * from focus_files

)

select * from unioned
