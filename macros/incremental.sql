{#-
    Incremental builds of the order-line path (staging's latest versions, fct_sales, fct_orders,
    int_customer_orders and the web aggregates): a delivery rebuilds only what it touches.

    Each incremental model keeps one row in `intermediate.incremental_state`: the fingerprint of
    what shapes its output (its SQL, the settings it reads, digests of the dimensions it copies),
    the raw order lines it has seen (`loaded_until`, the latest `_loaded_at`; `raw_rows`) and the
    as-of date it was built at. A model rebuilds in full (its rows deleted, all of them inserted)
    whenever it cannot prove an incremental run gives the full refresh's rows:

    - no state (first build, or a table built by `--full-refresh` before the state existed);
    - another fingerprint: its SQL, a setting (history start, budget year, currency, business
      keys, web thresholds) or a dimension it copies (customer keys, product categories) changed;
    - raw rows were removed (a re-delivered order-lines file replaces its earlier rows);
    - a model downstream of int_order_lines__changes missed a run (its `loaded_until` is not the
      change set's starting point).

    The fingerprint covers a model's own SQL file, not the macros it calls: after changing a macro
    such as money() or surrogate_key(), build once with `--full-refresh`.

    Otherwise the touched set is int_order_lines__changes (every raw version of the lines loaded
    since, the lines the as-of date move crosses, the old and new first orders of customers whose
    first order changed): the pre-hook deletes the rows of the touched keys (order lines, orders,
    customers, (client, day) pairs) and the model inserts them again, recomputed whole (append
    strategy), so a line that moves to another group leaves its old one and a group that loses its
    last line disappears.
-#}

{#- Where the state lives: one small table next to the change set. -#}
{% macro incremental_state_relation() -%}
    {{ return(api.Relation.create(
        database=this.database,
        schema=generate_schema_name('intermediate', none) | trim,
        identifier='incremental_state',
        type='table')) }}
{%- endmacro %}

{#- The state table, created by the first model that saves its state. -#}
{% macro incremental_state_table() -%}
    {%- set state = incremental_state_relation() -%}
    {%- do adapter.create_schema(state) -%}
    {%- do run_query(
        'create table if not exists ' ~ state ~ ' (model_name ' ~ dbt.type_string() ~ ', fingerprint '
        ~ dbt.type_string() ~ ', since_loaded_at ' ~ dbt.type_timestamp() ~ ', loaded_until '
        ~ dbt.type_timestamp() ~ ', raw_rows ' ~ dbt.type_bigint() ~ ', as_of_date date)') -%}
    {{- return(state) -}}
{%- endmacro %}

{#- The state row of a model (a dict), or none. -#}
{% macro incremental_state(model_name) -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {#- read only: compiling (dbt compile, docs, sqlfluff) writes nothing -#}
    {%- set state = incremental_state_relation() -%}
    {%- if adapter.get_relation(database=state.database, schema=state.schema, identifier=state.identifier) is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set rows = run_query(
        'select fingerprint, since_loaded_at, loaded_until, raw_rows, as_of_date from ' ~ state
        ~ " where model_name = '" ~ model_name ~ "'").rows -%}
    {%- if not rows -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return({
        'fingerprint': rows[0][0], 'since': rows[0][1], 'until': rows[0][2],
        'raw_rows': rows[0][3], 'as_of': rows[0][4]}) -}}
{%- endmacro %}

{#-
    What shapes a model's output besides its input rows: its SQL's checksum, the settings, and
    `digests`: (model name, columns) of the dimensions it copies (see incremental_digest).
-#}
{% macro incremental_fingerprint(digests=[]) -%}
    {%- set parts = [
        model.checksum.checksum,
        history_start_value(),
        budget_year_value() ~ '',
        var('currency_code') ~ '',
        var('business_keys') | tojson,
        var('web_client_lines_min', 200) ~ '',
        var('lost_after_days', 365) ~ '',
    ] -%}
    {%- for name, columns in digests -%}
        {%- do parts.append(incremental_digest(ref(name), columns)) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('|'))) -}}
{%- endmacro %}

{#-
    An order-independent digest of a relation's columns: row count and the sum of a hash of each
    row (row_digest_sum). A changed, added or removed row changes it.

    Computed once per dbt invocation and relation/columns: a model's plan is asked for in its
    compilation and in both hooks, and several models digest the same dimension. The cache lives in
    `graph`, the one dictionary dbt shares between the nodes of an invocation; a model digests only
    dimensions it refs (changes_plan), which dbt builds before it, so a digest is never taken before
    its dimension's rebuild in the same invocation.
-#}
{% macro incremental_digest(relation, columns) -%}
    {%- if not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set cache = graph.setdefault('salespulse_digests', {}) -%}
    {%- set key = relation ~ '|' ~ (columns | join(',')) -%}
    {%- if key not in cache -%}
        {%- set row = run_query(
            'select count(*), ' ~ row_digest_sum(columns) ~ ' from ' ~ relation).rows[0] -%}
        {%- do cache.update({key: relation.identifier ~ ':' ~ row[0] ~ ':' ~ row[1]}) -%}
    {%- endif -%}
    {{- return(cache[key]) -}}
{%- endmacro %}

{#-
    The sum of a hash of every row's `columns`, as decimal(38, 0). DuckDB: its own 64-bit hash of
    the values (at 500 k clients 0.02 s, where the md5 of the concatenated text took 0.3 s; a
    DuckDB release that hashed differently would rebuild each model in full once). Elsewhere: the
    surrogate key (a 52-bit md5 prefix).
-#}
{% macro row_digest_sum(columns) -%}
    {{ return(adapter.dispatch('row_digest_sum', 'salespulse')(columns)) }}
{%- endmacro %}

{% macro default__row_digest_sum(columns) -%}
    sum(cast({{ surrogate_key(columns) }} as decimal(38, 0)))
{%- endmacro %}

{% macro duckdb__row_digest_sum(columns) -%}
    cast(sum(hash({{ columns | join(', ') }})) as decimal(38, 0))
{%- endmacro %}

{#-
    The plan of a model reading raw order lines directly (staging, the checked lines, the change
    set): {'full': bool, 'since': the last `_loaded_at` it saw or none, 'as_of': its last as-of
    date}. `digests`: as in incremental_fingerprint.
-#}
{% macro raw_order_lines_plan(digests=[]) -%}
    {%- set plan = {'full': true, 'since': none, 'as_of': none} -%}
    {%- set rebuilt_each_run = config.get('materialized') == 'table' -%}
    {%- if not execute or this is none or model.resource_type == 'unit_test'
        or not (is_incremental() or (rebuilt_each_run and not flags.FULL_REFRESH)) -%}
        {{- return(plan) -}}
    {%- endif -%}
    {%- set state = incremental_state(this.name) -%}
    {%- if state is none or state.until is none or state.fingerprint != incremental_fingerprint(digests) -%}
        {{- return(plan) -}}
    {%- endif -%}
    {%- set kept = run_query(
        'select count(*) from ' ~ source('erp', 'order_lines')
        ~ " where _loaded_at <= cast('" ~ state.until ~ "' as " ~ dbt.type_timestamp() ~ ')').rows[0][0] -%}
    {%- if kept != state.raw_rows -%}
        {{- log('salespulse: ' ~ this.name ~ ': raw order lines were replaced, full rebuild', info=true) -}}
        {{- return(plan) -}}
    {%- endif -%}
    {{- return({'full': false, 'since': state.until, 'as_of': state.as_of}) -}}
{%- endmacro %}

{#-
    The plan of a model downstream of int_order_lines__changes: {'full': bool, 'since': ...}.
    Incremental only when the change set is (its build was incremental), the model's own state
    continues where the change set started, its fingerprint (`digests` included) is unchanged and
    the incremental models it reads (`upstream`) were built incrementally in this run; with
    `as_of_bound`, also only when the as-of date is the one of its last build (a model whose rows of
    untouched keys depend on the as-of date itself: fct_customer_activity's lost clients).
-#}
{% macro changes_plan(digests=[], upstream=[], as_of_bound=false) -%}
    {#- the dimensions digested are read at run time: declare them when parsing -#}
    {%- for name, columns in digests if model.resource_type != 'unit_test' -%}
        {%- do ref(name) -%}
    {%- endfor -%}
    {%- if not execute or this is none or model.resource_type == 'unit_test' or not is_incremental() -%}
        {{- return({'full': true, 'since': none}) -}}
    {%- endif -%}
    {%- set state = incremental_state(this.name) -%}
    {%- set changes = incremental_state('int_order_lines__changes') -%}
    {%- set plan = namespace(full=state is none or changes is none or changes.since is none
        or state.until != changes.since or state.fingerprint != incremental_fingerprint(digests)) -%}
    {%- for name in upstream if not plan.full -%}
        {%- set upstream_state = incremental_state(name) -%}
        {%- if upstream_state is none or upstream_state.since != changes.since -%}
            {%- set plan.full = true -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if as_of_bound and not plan.full and (state.as_of ~ '')[:10] != as_of_date_value() -%}
        {%- set plan.full = true -%}
    {%- endif -%}
    {%- set full = plan.full -%}
    {%- if full -%}
        {{- log('salespulse: ' ~ this.name ~ ': full rebuild (no previous build, a setting or dimension changed, '
            ~ 'an input was rebuilt in full' ~ (', or another as-of date' if as_of_bound else '') ~ ')',
            info=true) -}}
    {%- endif -%}
    {{- return({'full': full, 'since': none if full else changes.since}) -}}
{%- endmacro %}

{#-
    Pre-hook: an incremental run deletes the touched rows (`key` in `touched_sql`); a full rebuild
    of an existing table deletes them all. Nothing on a new table or `--full-refresh`.
-#}
{% macro incremental_clear(plan, key, touched_sql) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }}
        {%- if not plan.full %} where {{ key }} in ({{ touched_sql }}){% endif %}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: remember what this build saw (the raw order lines, the settings, the as-of date). -#}
{% macro incremental_save(plan, digests=[]) -%}
    {%- if execute -%}
        {%- set state = incremental_state_table() -%}
        {%- do run_query('delete from ' ~ state ~ " where model_name = '" ~ this.name ~ "'") -%}
        insert into {{ state }} (model_name, fingerprint, since_loaded_at, loaded_until, raw_rows, as_of_date)
        select
            '{{ this.name }}',
            '{{ incremental_fingerprint(digests) }}',
            {%- if not plan.full and plan.since is not none %}
                cast('{{ plan.since }}' as {{ dbt.type_timestamp() }}),
            {%- else %}
                cast(null as {{ dbt.type_timestamp() }}),
            {%- endif %}
            max(_loaded_at),
            count(*),
            {{ as_of_date() }}
        from {{ source('erp', 'order_lines') }}
    {%- endif -%}
{%- endmacro %}

{#-
    The relations the touched_* macros read: `ref`/`source` in a model (`this` for the model's own
    table); in a data test, which may `ref` only the models it tests, the same relation found in the
    graph (macros/changed_rows.sql calls these macros to restrict a test to the rows its model's
    pre-hook deleted and wrote again). In a unit test the touched_* macros read nothing: it builds
    in full and mocks only the model's own inputs.
-#}
{% macro touched_input(name) -%}
    {%- if model.resource_type == 'test' -%}
        {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ name] -%}
        {{- return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -}}
    {%- elif name == model.name -%}
        {{- return(this) -}}
    {%- endif -%}
    {{- return(ref(name)) -}}
{%- endmacro %}

{% macro touched_raw_order_lines() -%}
    {%- if model.resource_type == 'test' -%}
        {%- set raw = graph.sources['source.' ~ project_name ~ '.erp.order_lines'] -%}
        {{- return(api.Relation.create(database=raw.database, schema=raw.schema, identifier=raw.identifier)) -}}
    {%- endif -%}
    {{- return(source('erp', 'order_lines')) -}}
{%- endmacro %}

{#-
    The staging ids of the order lines with a raw row loaded since the previous build (`since`: the
    staging model's starting point, from its state; none: from its plan).
-#}
{% macro stg_order_lines_changed_ids(since=none) -%}
    select {{ order_line_id() }}
    from {{ touched_raw_order_lines() }}
    where _loaded_at > cast('{{ since or raw_order_lines_plan().since }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#-
    The order lines whose `after_as_of_date` check flips when the as-of date moves from `previous`
    (the as-of date of a model's last build; none: it did not move) to this build's.
-#}
{% macro as_of_crossed(previous) -%}
    {%- set as_of = as_of_date_value() -%}
    {%- set dates = [as_of, (previous ~ '')[:10] if previous is not none else as_of] -%}
    order_date > {{ date_literal(dates | min) }} and order_date <= {{ date_literal(dates | max) }}
{%- endmacro %}

{#-
    int_order_lines__checked: the dimension it copies (the order statuses seed: a status that starts
    or stops counting as sales rebuilds it, and the models that read it, in full); the lines it
    recomputes: those with a raw row loaded since its last build and those whose as-of check flips.
    Rendered at run time only: like the change set, it reads the raw lines' load times without
    making the raw table one of its parents (it reads the lines themselves from staging).
-#}
{% macro checked_order_lines_digests() -%}
    {{- return([('order_statuses', ['status', 'counts_as_sales'])]) -}}
{%- endmacro %}

{% macro touched_checked_order_line_ids() -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        select null
    {%- else %}
    {%- set plan = raw_order_lines_plan(checked_order_lines_digests()) %}
    {{ stg_order_lines_changed_ids(plan.since) }}
    union
    select order_line_id from {{ touched_input('stg_erp__order_lines') }}
    where {{ as_of_crossed(plan.as_of) }}
    {%- endif -%}
{%- endmacro %}

{#-
    The change set's plan: a full build also when int_customer_orders does not exist yet (the
    previous first orders are unknown).
-#}
{% macro change_set_plan() -%}
    {%- set plan = raw_order_lines_plan() -%}
    {%- if execute and not plan.full and adapter.get_relation(
        database=this.database, schema=generate_schema_name('intermediate', none) | trim,
        identifier='int_customer_orders') is none -%}
        {{- return({'full': true, 'since': none, 'as_of': none}) -}}
    {%- endif -%}
    {{- return(plan) -}}
{%- endmacro %}

{#-
    The order lines an incremental run recomputes: the change set (int_order_lines__changes).
    Columns: order_line_id, order_number, order_date, customer_id.
-#}
{% macro touched_order_lines() -%}
    {%- if model.resource_type == 'unit_test' -%}
        select null
    {%- else %}
    select order_line_id, order_number, order_date, customer_id
    from {{ touched_input('int_order_lines__changes') }}
    {%- endif -%}
{%- endmacro %}

{#-
    The (customer key, day) pairs of the touched order lines, old and new versions: known clients'
    keys are the hash of their id; (-1, day) for the unknown clients' lines of every touched day.
-#}
{% macro touched_client_days() -%}
    select {{ surrogate_key(['customer_id']) }}, order_date from ({{ touched_order_lines() }}) as touched
    union
    select -1, order_date from ({{ touched_order_lines() }}) as touched
{%- endmacro %}

{#- The orders and customer keys of the touched order lines (for deletes and filters). -#}
{% macro touched_orders() -%}
    select distinct order_number from ({{ touched_order_lines() }}) as touched
{%- endmacro %}

{#- Known clients' keys are the hash of their id; -1 (unknown clients) is always recomputed. -#}
{% macro touched_customer_keys() -%}
    select {{ surrogate_key(['customer_id']) }} from ({{ touched_order_lines() }}) as touched
    union
    select -1
{%- endmacro %}

{#-
    fct_orders' touched clients: those of every line of the touched orders, before and after the
    change (int_order_lines__delta: all lines of the orders with a line in the change set, as
    fct_sales had them and has them; a small table, so the hooks and both models read it instead
    of scanning fct_sales for the touched orders' lines again), and -1, the unknown client.
-#}
{% macro fct_orders_touched_customers() -%}
    {%- if model.resource_type == 'unit_test' -%}
        select null
    {%- else %}
    select customer_key from {{ touched_input('int_order_lines__delta') }}
    union
    select -1
    {%- endif -%}
{%- endmacro %}

{#- The hooks of a model downstream of the change set: delete the touched `key`s, save the state. -#}
{% macro changes_clear(key, touched_sql, digests=[], upstream=[], as_of_bound=false) -%}
    {{ incremental_clear(changes_plan(digests, upstream, as_of_bound), key, touched_sql) }}
{%- endmacro %}

{% macro changes_save(digests=[], upstream=[], as_of_bound=false) -%}
    {{ incremental_save(changes_plan(digests, upstream, as_of_bound), digests) }}
{%- endmacro %}

{#- The touched ids, for the hooks. -#}
{% macro touched_customer_ids() -%}
    {%- if model.resource_type == 'unit_test' -%}
        select null
    {%- else %}
    select customer_id from {{ touched_input('int_order_lines__changes') }}
    {%- endif -%}
{%- endmacro %}

{% macro touched_order_line_ids() -%}
    select order_line_id from ({{ touched_order_lines() }}) as touched
{%- endmacro %}

{#- agg_web_customer_sales_lines: the touched clients and those no longer big. -#}
{% macro touched_big_client_keys() -%}
    {%- if model.resource_type == 'unit_test' -%}
        select null
    {%- else %}
    {{ touched_customer_keys() }}
    union
    select customer_key from {{ this }}
    where customer_key not in (select customer_key from {{ ref('agg_web_big_clients') }})
    {%- endif -%}
{%- endmacro %}

{#-
    rejected_rows: every row of the tables other than the order lines (small snapshots, recomputed
    whole) and the rows of the touched order lines (superseded versions carry order_number|line_number
    as business key, broken lines their order_line_id).
-#}
{% macro touched_rejected_row_keys() -%}
    {%- if model.resource_type == 'unit_test' -%}
        select null
    {%- else %}
    select rejected_row_key from {{ touched_input('rejected_rows') }}
    where
        entity <> 'order_lines'
        or replace(business_key, '|', '-') in ({{ touched_order_line_ids() }})
    {%- endif -%}
{%- endmacro %}

{#- A model's filter to its touched rows: `key in (touched_sql)`, or true in a full build. -#}
{% macro touched_only(plan, key, touched_sql) -%}
    {%- if plan.full -%}
        true
    {%- else -%}
        {{ key }} in ({{ touched_sql }})
    {%- endif -%}
{%- endmacro %}

{#-
    The configuration of an incremental model of the order-line path, returning its plan
    ({'full': bool, 'since': ...}) for the model's filter to its touched rows (`touched_only`):

    - `key`: the column (or a tuple of columns) whose touched values are recomputed whole (a line,
      order, client, (client, day) pair);
    - `touched`: the name of the macro listing those values (`touched_order_line_ids`,
      `touched_client_days`, ...), called by the pre-hook at run time;
    - `digests`: (model name, columns) of the dimensions the model copies (a change rebuilds it);
    - `upstream`: the incremental models it reads;
    - `as_of_bound`: rebuilt in full when the as-of date moved (see changes_plan).

    The hooks are strings dbt renders when they run, so they name the macros and pass the lists as
    literals; the model's SQL file still holds its digests, which its fingerprint covers.
-#}
{% macro incremental_config(key, touched, digests=[], upstream=[], as_of_bound=false) -%}
    {%- set bound = ', ' ~ (as_of_bound | lower) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ changes_clear('" ~ key ~ "', " ~ touched ~ "(), " ~ digests ~ ", " ~ upstream ~ bound ~ ") }}",
        post_hook="{{ changes_save(" ~ digests ~ ", " ~ upstream ~ bound ~ ") }}",
    ) }}
    {{- return(changes_plan(digests, upstream, as_of_bound)) -}}
{%- endmacro %}
