{#-
    Delta maintenance of the web aggregates without a client in their grain (agg_web_sales_daily,
    agg_web_sales_monthly, agg_web_product_sales_monthly).

    Late updates are spread over the whole history: recomputing the touched days or months whole
    (macros/incremental.sql) recomputes most of the table after a small delivery. These models
    instead add to each group what the delivery changed in it:

    - int_order_lines__previous: every fct_sales line of the touched orders (all lines of an order
      with any line in the change set), as the previous build left them, captured before fct_sales
      is rebuilt (fct_sales depends on it);
    - int_order_lines__delta: those lines with their measures negated (`line_sign` -1), and the same
      orders' lines in fct_sales after it was rebuilt (+1), with the dimension columns the
      aggregates group by: summed, they are what the delivery changed;
    - the model's pre-hook moves the rows of its touched keys (a few non-null columns of the grain,
      from the delta's lines) into a stash table and deletes them; the model inserts, for those keys,
      the stashed rows plus the delta's groups, summed per group, and keeps the groups that still
      have a line (`line_count`).

    Exact, because every line of a touched order is in both images and an untouched order's lines do
    not change: sums add the difference; a distinct count of orders in a group adds the touched
    orders counting in it after minus before; so does the count of new clients, whose New lines are
    all in their first order (a changed first order puts the old and the new one in the change set).
    A full build (plan.full) computes every group from the order lines as before.
-#}

{#- The stash of a delta model's old rows of its touched keys, next to the model. -#}
{% macro delta_stash_relation() -%}
    {{ return(api.Relation.create(
        database=this.database, schema=this.schema, identifier=this.identifier ~ '__previous', type='table')) }}
{%- endmacro %}

{#-
    A model's relation as dbt's graph places it, or none when it does not exist yet: the capture
    reads fct_sales before it is rebuilt, so without a `ref` (which would make it wait for it).
-#}
{% macro delta_existing_relation(name) -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ name] -%}
    {{- return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) -}}
{%- endmacro %}

{#-
    Post-hook of the capture and of the delta: their state row starts at the change set's starting
    point when every model in `inputs` was built from it in this run, else none (the aggregates,
    which list them upstream, then rebuild in full).
-#}
{% macro delta_save(inputs=[]) -%}
    {%- if execute -%}
        {%- set changes = incremental_state('int_order_lines__changes') -%}
        {%- set since = namespace(value=changes.since if changes is not none else none) -%}
        {%- for name in inputs if since.value is not none -%}
            {%- set state = incremental_state(name) -%}
            {%- if state is none or state.since != since.value -%}
                {%- set since.value = none -%}
            {%- endif -%}
        {%- endfor -%}
        {{ incremental_save({'full': since.value is none, 'since': since.value}) }}
    {%- endif -%}
{%- endmacro %}

{#-
    Pre-hook of a delta model: on an incremental run, the rows of the touched keys (`key` in
    `touched_sql`) move to the stash (the model adds the delta to them); then incremental_clear.
-#}
{% macro delta_clear(key, touched_sql, digests=[], upstream=[]) -%}
    {%- set plan = changes_plan(digests, upstream) -%}
    {%- if execute and is_incremental() -%}
        {%- set stash = delta_stash_relation() -%}
        {%- do run_query('drop table if exists ' ~ stash) -%}
        {%- if not plan.full -%}
            {%- do run_query('create table ' ~ stash ~ ' as select * from ' ~ this
                ~ ' where ' ~ key ~ ' in (' ~ touched_sql ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {{ incremental_clear(plan, key, touched_sql) }}
{%- endmacro %}

{#- Post-hook of a delta model: drop the stash, save the state. -#}
{% macro delta_finish(digests=[], upstream=[]) -%}
    {%- if execute -%}
        {%- do run_query('drop table if exists ' ~ delta_stash_relation()) -%}
    {%- endif -%}
    {{ changes_save(digests, upstream) }}
{%- endmacro %}

{#-
    incremental_config's counterpart for a delta model: `key` is a tuple of non-null columns of
    the grain, `touched` the macro listing the touched tuples from int_order_lines__delta. Returns
    the plan: plan.full computes every group from the order lines; otherwise the model reads the
    delta's lines and the stash (delta_stash_relation).
-#}
{% macro delta_config(key, touched, digests=[], upstream=[]) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delta_clear('" ~ key ~ "', " ~ touched ~ "(), " ~ digests ~ ", " ~ upstream ~ ") }}",
        post_hook="{{ delta_finish(" ~ digests ~ ", " ~ upstream ~ ") }}",
    ) }}
    {{- return(changes_plan(digests, upstream)) -}}
{%- endmacro %}

{#-
    The end of a delta model whose measures are the web sums (web_sums) and line_count: the `lines`
    CTE grouped by `grain` (a list of columns), the stash's rows added on a delta (the touched keys'
    rows as they were), then one row per group, without the groups whose last line left. Renders
    the CTEs `grouped` and `merged` and the final select (the model adds its `order by`).
-#}
{% macro delta_regroup(plan, grain) -%}
grouped as (
    select
        {%- for column in grain %}
            {{ column }},
        {%- endfor %}
        {{ web_sums() }},
        cast({{ delta_line_count(plan) }} as bigint) as line_count
    from lines
    group by {{ grain | join(', ') }}
),

merged as (
    select * from grouped
    {%- if not plan.full %}
        union all
        select
            {%- for column in grain %}
                {{ column }},
            {%- endfor %}
            net_sales_amount,
            sales_quantity,
            margin_amount,
            cancelled_amount,
            line_count
        from {{ delta_stash_relation() }}
    {%- endif %}
)

select
    {%- for column in grain %}
        {{ column }},
    {%- endfor %}
    {{ web_sums() }},
    cast(sum(line_count) as bigint) as line_count
from merged
group by {{ grain | join(', ') }}
having sum(line_count) > 0
{%- endmacro %}

{#- The lines of a group: count(*), or their signs summed in a delta. -#}
{% macro delta_line_count(plan) -%}
    {%- if plan.full -%}
        count(*)
    {%- else -%}
        sum(line_sign)
    {%- endif -%}
{%- endmacro %}

{#- count(distinct case when `condition` then `value` end), in a delta: after minus before. -#}
{% macro delta_count_distinct(plan, condition, value) -%}
    {%- if plan.full -%}
        count(distinct case when {{ condition }} then {{ value }} end)
    {%- else -%}
        count(distinct case when line_sign = 1 and {{ condition }} then {{ value }} end)
        - count(distinct case when line_sign = -1 and {{ condition }} then {{ value }} end)
    {%- endif -%}
{%- endmacro %}

{#-
    The touched keys of each delta model: the key tuples of the delta's lines (each model's pre-hook
    key; changed_rows.sql says them again for the tests).
-#}
{% macro delta_touched(columns) -%}
    {%- if model.resource_type == 'unit_test' -%}
        select null
    {%- else %}
    select distinct {{ columns | join(', ') }} from {{ touched_input('int_order_lines__delta') }}
    {%- endif -%}
{%- endmacro %}

{% macro touched_web_daily_keys() -%}
    {{ delta_touched(['order_date', 'campaign_key', 'territory_key', 'sales_rep_key']) }}
{%- endmacro %}

{% macro touched_web_monthly_keys() -%}
    {{ delta_touched(['month_start_date', 'campaign_key', 'geography_key', 'territory_key', 'sales_rep_key']) }}
{%- endmacro %}

{% macro touched_web_product_monthly_keys() -%}
    {{ delta_touched(['month_start_date', 'product_key', 'campaign_key', 'territory_key', 'sales_rep_key']) }}
{%- endmacro %}
