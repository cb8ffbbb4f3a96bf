{#-
    The web aggregates' (models/marts/web) shared declarations, said once here.
-#}

{#-
    The configuration of an incremental web aggregate (macros/incremental.sql), returning its plan
    ({'full': bool, 'since': ...}) for the model's filter to its touched rows (`touched_only`):

    - `key`: the column whose touched values are recomputed whole (a day, month, order, client);
    - `touched`: the name of the macro listing those values (`touched_days`, `touched_months`, ...),
      called by the pre-hook at run time;
    - `digests`: (model name, columns) of the dimensions the aggregate copies (a change rebuilds it);
    - `upstream`: the incremental models it reads.

    The hooks are strings dbt renders when they run, so they name the macros and pass the lists as
    literals; the model's SQL file still holds its digests, which its fingerprint covers.
-#}
{% macro web_aggregate_config(key, touched, digests=[], upstream=['fct_sales']) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ changes_clear('" ~ key ~ "', " ~ touched ~ "(), " ~ digests ~ ", " ~ upstream ~ ") }}",
        post_hook="{{ changes_save(" ~ digests ~ ", " ~ upstream ~ ") }}",
    ) }}
    {{- return(changes_plan(digests, upstream)) -}}
{%- endmacro %}

{#-
    The measure columns of an aggregate of the order lines, in its final select: sums of fct_sales'
    measure columns, typed as there. Sums add up to any coarser group, so every web aggregate
    carries them alike.
-#}
{% macro web_sums() -%}
    {{ money('sum(net_sales_amount)') }} as net_sales_amount,
    cast(sum(sales_quantity) as bigint) as sales_quantity,
    {{ money('sum(margin_amount)') }} as margin_amount,
    {{ money('sum(cancelled_amount)') }} as cancelled_amount
{%- endmacro %}
