{#-
    The data tests of an incremental `dbt build` test the rows that build wrote, not whole tables.

    After a small delivery the incremental models (macros/incremental.sql) rewrite a few touched
    keys (order lines, orders, customers, (client, day) pairs, group keys) of tables with millions
    of rows; their generic tests (unique, not_null, relationships, accepted_values, expression_is_true,
    unique_combination_of_columns) would scan every row again. dbt_project.yml gives every generic
    test `where: "__changed_rows__"`, and get_where_subquery below (dbt's documented hook for
    templating `where`: the yml's config is rendered at parse time, before any macro can run)
    replaces that placeholder at run time:

    - on an incremental build of the model (its state row in intermediate.incremental_state says
      it ran incrementally from the change set's starting point, and it was selected in this
      `dbt build`): the rows of its touched keys (changed_rows_models below: the key the model's
      own pre-hook deletes and inserts again, so every row it wrote is among them);
    - otherwise (a full build, `--full-refresh`, a model that rebuilt in full, `dbt test` on its
      own, a model not listed): nothing is restricted, the test reads the whole table.

    What each restricted test still proves, so no check is lost:

    - not_null, accepted_values, expression_is_true: row by row; untouched rows were tested when
      they were written and have not changed since.
    - unique and unique_combination_of_columns: a duplicate between a changed row and an OLD row is
      still caught. When the test's columns include the touched key, two rows sharing the test's
      key share the touched key, so both sides are in the restricted rows; otherwise the restriction
      is widened to every row sharing the test's (first) column with a changed row (dbt's `where`
      would filter both sides and miss the old row).
    - relationships: the changed child rows against the WHOLE parent (dbt applies `where` to the
      child only). A parent key that untouched rows use disappears only with a change the model's
      fingerprint covers (the dimension digests: customer, product and campaign keys), which
      rebuilds the model in full and tests it whole; sales rep, territory and geography keys reach
      the facts through dim_customer, whose own tests run whole; dim_date spans the history window
      (a setting, also in the fingerprint) to the latest date any row has.

    Singular tests (data_tests/reconciliation, data_tests/web) are not generic: they always read
    everything.
-#}

{#-
    Per tested model (a table or a view over it): the incremental model whose state row says
    whether this build was incremental; the touched key (a column); the list of touched values: the
    macro of that name (macros/incremental.sql, the model's pre-hook's own list, or a
    superset of it). tests/python/test_changed_rows.py checks that every test of an incremental
    table is restricted by its pre-hook's key.

    - int_order_lines__checked (incremental like staging, from its own state) rewrites the lines
      staging does, and those whose as-of check a moved as-of date flips between no rejection and
      `after_as_of_date` (both accepted values; the line's key is the same; which lines those were
      is not known after its build, and the incremental-vs-full-refresh test compares them).
    - agg_web_customer_sales_lines: its pre-hook also deletes clients no longer big; the rows it
      writes are those of the touched clients.
    - fct_orders, and fct_customer_activity (the clients fct_orders rebuilt): the clients of every
      line of the touched orders, before and after the change (int_order_lines__delta).
-#}
{% macro changed_rows_models() -%}
    {#- the key tuples of the delta-maintained aggregates (macros/delta_maintenance.sql) and of the pairs -#}
    {%- set daily_key = '(order_date, campaign_key, territory_key, sales_rep_key)' -%}
    {%- set monthly_key = '(month_start_date, campaign_key, geography_key, territory_key, sales_rep_key)' -%}
    {%- set product_monthly_key = '(month_start_date, product_key, campaign_key, territory_key, sales_rep_key)' -%}
    {%- set product_monthly = 'touched_web_product_monthly_keys' -%}
    {%- set client_day_key = '(customer_key, order_date)' -%}
    {#- tested model: [state model, touched key, touched list] -#}
    {{ return({
        'stg_erp__order_lines': ['stg_erp__order_lines', 'order_line_id', 'stg_order_lines_changed_ids'],
        'int_order_lines__checked': ['int_order_lines__checked', 'order_line_id', 'stg_order_lines_changed_ids'],
        'int_customer_orders': ['int_customer_orders', 'customer_id', 'touched_customer_ids'],
        'fct_sales': ['fct_sales', 'order_line_id', 'touched_order_line_ids'],
        'rpt_sales': ['fct_sales', 'order_line_id', 'touched_order_line_ids'],
        'fct_orders': ['fct_orders', 'customer_key', 'fct_orders_touched_customers'],
        'fct_customer_activity': ['fct_customer_activity', 'customer_key', 'fct_orders_touched_customers'],
        'agg_web_sales_daily': ['agg_web_sales_daily', daily_key, 'touched_web_daily_keys'],
        'rpt_web_sales_daily': ['agg_web_sales_daily', daily_key, 'touched_web_daily_keys'],
        'agg_web_client_sales_daily': ['agg_web_client_sales_daily', client_day_key, 'touched_client_days'],
        'rpt_web_client_sales_daily': ['agg_web_client_sales_daily', client_day_key, 'touched_client_days'],
        'agg_web_sales_monthly': ['agg_web_sales_monthly', monthly_key, 'touched_web_monthly_keys'],
        'rpt_web_sales_monthly': ['agg_web_sales_monthly', monthly_key, 'touched_web_monthly_keys'],
        'agg_web_product_sales_monthly': ['agg_web_product_sales_monthly', product_monthly_key, product_monthly],
        'rpt_web_product_sales_monthly': ['agg_web_product_sales_monthly', product_monthly_key, product_monthly],
        'agg_web_customer_activity': ['agg_web_customer_activity', 'customer_key', 'touched_customer_keys'],
        'rpt_web_customer_activity': ['agg_web_customer_activity', 'customer_key', 'touched_customer_keys'],
        'agg_web_client_sales_monthly_unranked': [
            'agg_web_client_sales_monthly_unranked', 'customer_key', 'touched_customer_keys'],
        'agg_web_product_sales_lines': ['agg_web_product_sales_lines', 'order_number', 'touched_orders'],
        'rpt_web_product_sales_lines': ['agg_web_product_sales_lines', 'order_number', 'touched_orders'],
        'agg_web_customer_sales_lines': ['agg_web_customer_sales_lines', 'customer_key', 'touched_customer_keys'],
        'rpt_web_customer_sales_lines': ['agg_web_customer_sales_lines', 'customer_key', 'touched_customer_keys'],
        'rejected_rows': ['rejected_rows', 'rejected_row_key', 'touched_rejected_row_keys'],
    }) }}
{%- endmacro %}

{#- dbt's get_where_subquery (global_project) with the `__changed_rows__` placeholder expanded. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__changed_rows__' in where -%}
        {%- set changed = changed_rows(relation) -%}
        {%- if where | trim == '__changed_rows__' and not changed -%}
            {%- do return(relation) -%}
        {%- endif -%}
        {%- set where = where | replace('__changed_rows__', '(' ~ (changed or '1 = 1') ~ ')') -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#-
    The predicate on `relation` (the tested model) keeping the rows this build wrote, or '' for
    every row. `model` is the test node here (its attached model, its test's name and columns).
-#}
{% macro changed_rows(relation) -%}
    {%- set spec = changed_rows_models().get((model.attached_node or '').split('.')[-1]) -%}
    {%- if not execute or model.resource_type != 'test' or spec is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set state_model, key, touched = spec -%}
    {%- set state = changed_rows_state(state_model) -%}
    {%- if state is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set keep = key ~ ' in (' ~ changed_rows_touched(touched, state) ~ ')' -%}
    {#- a uniqueness test whose columns leave out the touched key: every row sharing its first column -#}
    {%- set test = model.test_metadata or {} -%}
    {%- set kwargs = test.kwargs or {} -%}
    {%- if test.name == 'unique' -%}
        {%- set columns = [kwargs.column_name] -%}
    {%- elif test.name == 'unique_combination_of_columns' -%}
        {%- set columns = kwargs.combination_of_columns -%}
    {%- else -%}
        {%- set columns = [key] -%}
    {%- endif -%}
    {#- a key tuple, `(a, b)`: every one of its columns must be among the test's -#}
    {%- set key_columns = key.strip('()').split(', ') -%}
    {%- if key_columns | reject('in', columns) | list -%}
        {%- set column = '(' ~ columns[0] ~ ')' -%}
        {%- set keep = column ~ ' in (select ' ~ column ~ ' from ' ~ relation ~ ' where ' ~ keep ~ ') or '
            ~ column ~ ' is null' -%}
    {%- endif -%}
    {{- return(keep) -}}
{%- endmacro %}

{#-
    The touched values: the macro of that name (macros/incremental.sql, macros/delta_maintenance.sql),
    the very list the model's pre-hook deleted, read from the graph's relations in a test (a test may
    `ref` only the models it tests: touched_input). Staging's list starts where its state says.
-#}
{% macro changed_rows_touched(name, state) -%}
    {%- set lists = {
        'touched_order_line_ids': touched_order_line_ids,
        'touched_customer_ids': touched_customer_ids,
        'touched_customer_keys': touched_customer_keys,
        'fct_orders_touched_customers': fct_orders_touched_customers,
        'touched_client_days': touched_client_days,
        'touched_orders': touched_orders,
        'touched_rejected_row_keys': touched_rejected_row_keys,
        'touched_web_daily_keys': touched_web_daily_keys,
        'touched_web_monthly_keys': touched_web_monthly_keys,
        'touched_web_product_monthly_keys': touched_web_product_monthly_keys,
    } -%}
    {%- if name == 'stg_order_lines_changed_ids' -%}
        {{ stg_order_lines_changed_ids(state.since) }}
    {%- elif name in lists -%}
        {{ lists[name]() }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('changed_rows: no touched list ' ~ name) }}
    {%- endif -%}
{%- endmacro %}

{#-
    The state row of `state_model` (macros/incremental.sql) when it was built incrementally in this
    `dbt build` (selected in it, and its state row has a starting point: a full rebuild saves none),
    else none. A model downstream of the change set must also continue from the change set's
    starting point (the change set of this build, not an earlier one). Any other command (`dbt test`
    alone) tests everything.
-#}
{% macro changed_rows_state(state_model) -%}
    {%- if flags.WHICH != 'build' or ('model.' ~ project_name ~ '.' ~ state_model) not in selected_resources -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set state = incremental_state(state_model) -%}
    {%- if state is none or state.since is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- if state_model not in ('stg_erp__order_lines', 'int_order_lines__checked') -%}
        {%- set changes = incremental_state('int_order_lines__changes') -%}
        {%- if changes is none or changes.since != state.since -%}
            {{- return(none) -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(state) -}}
{%- endmacro %}
