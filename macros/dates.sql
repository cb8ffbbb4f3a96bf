{#- Date helpers that read the "as of" setting, never the clock, and stay portable. -#}

{#-
    The dates a build settles on, from the settings (dbt_project.yml's vars, which read the
    SALESPULSE_* environment variables) or, when a setting is empty, from the data:

    - as-of date: SALESPULSE_AS_OF, else the last order date loaded (raw._load_log.last_order_date:
      per order-lines file, the latest order date not after the line's own last change, so one
      mistyped future date cannot move it);
    - history start: SALESPULSE_HISTORY_START, else 1 January SALESPULSE_HISTORY_YEARS (2) years
      before the as-of year;
    - budget year (the year the forecast projects against its budget): SALESPULSE_BUDGET_YEAR, else
      the as-of year.

    The *_value macros return ISO text for Jinja; as_of_date() is the SQL date expression.
    Before anything is loaded (parsing, linting against an empty warehouse) the as-of date is a
    placeholder, 1900-01-01; a real build has loaded order lines, so it never uses it.
-#}

{% macro as_of_date() -%}
    cast('{{ as_of_date_value() }}' as date)
{%- endmacro %}

{% macro as_of_date_value() -%}
    {%- set configured = (var('as_of_date', '') ~ '') | trim -%}
    {%- if configured -%}
        {{- return(checked_date(configured, 'SALESPULSE_AS_OF (dbt var as_of_date)')) -}}
    {%- endif -%}
    {{- return(last_order_date_loaded() or '1900-01-01') -}}
{%- endmacro %}

{% macro as_of_date_source() -%}
    {%- if ((var('as_of_date', '') ~ '') | trim) -%}
        {{- return('set by SALESPULSE_AS_OF') -}}
    {%- elif last_order_date_loaded() -%}
        {{- return('the last order date loaded; set SALESPULSE_AS_OF to fix another day') -}}
    {%- endif -%}
    {{- return('a placeholder: no order lines are loaded yet (run `salespulse load`)') -}}
{%- endmacro %}

{#- The latest order date the loader recorded, as ISO text; none before a load. -#}
{% macro last_order_date_loaded() -%}
    {%- if not execute -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set log_table = adapter.get_relation(
        database=target.database, schema=var('raw_schema'), identifier='_load_log') -%}
    {%- if log_table is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set found = run_query(
        "select max(last_order_date) from " ~ log_table ~ " where entity = 'order_lines'") -%}
    {%- set value = found.rows[0][0] if found.rows else none -%}
    {{- return(value.isoformat()[:10] if value is not none else none) -}}
{%- endmacro %}

{% macro history_start_value() -%}
    {%- set configured = (var('history_start_date', '') ~ '') | trim -%}
    {%- if configured -%}
        {{- return(checked_date(configured, 'SALESPULSE_HISTORY_START (dbt var history_start_date)')) -}}
    {%- endif -%}
    {%- set years = (var('history_years', 2) ~ '') | trim | int -%}
    {{- return(((as_of_date_value()[:4] | int) - years) ~ '-01-01') -}}
{%- endmacro %}

{% macro history_start_date() -%}
    cast('{{ history_start_value() }}' as date)
{%- endmacro %}

{% macro budget_year_value() -%}
    {%- set configured = (var('budget_year', '') ~ '') | trim -%}
    {%- if configured -%}
        {%- if not configured.isdigit() or configured | length != 4 -%}
            {{- exceptions.raise_compiler_error(
                "SALESPULSE_BUDGET_YEAR (dbt var budget_year) is '" ~ configured ~ "': expected a year such as 2025") -}}
        {%- endif -%}
        {{- return(configured | int) -}}
    {%- endif -%}
    {{- return(as_of_date_value()[:4] | int) -}}
{%- endmacro %}

{#- A YYYY-MM-DD setting, checked so that a typo fails the build with the setting's name. -#}
{% macro checked_date(text, setting) -%}
    {%- set parsed = none -%}
    {%- if text | length == 10 -%}
        {%- set parsed = modules.datetime.datetime.strptime(text, '%Y-%m-%d') if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) else none -%}
    {%- endif -%}
    {%- if parsed is none -%}
        {{- exceptions.raise_compiler_error(setting ~ " is '" ~ text ~ "': expected a date as YYYY-MM-DD, e.g. 2025-06-15") -}}
    {%- endif -%}
    {{- return(text) -}}
{%- endmacro %}

{#- on-run-start: say which dates this run uses and where they came from. -#}
{% macro announce_dates() -%}
    {%- if execute and flags.WHICH in ('build', 'run') and not ((var('as_of_date', '') ~ '') | trim)
        and last_order_date_loaded() is none -%}
        {{- exceptions.raise_compiler_error(
            "No order lines are loaded in " ~ target.name ~ " (" ~ var('raw_schema') ~ "._load_log is missing "
            ~ "or empty): land a delivery first with `salespulse load` (make load), then build.") -}}
    {%- endif -%}
    {%- if execute -%}
        {{- log(
            "salespulse: as of " ~ as_of_date_value() ~ " (" ~ as_of_date_source() ~ "); history from "
            ~ history_start_value() ~ "; budget year " ~ budget_year_value(), info=true) -}}
    {%- endif -%}
{%- endmacro %}

{% macro date_literal(value) -%}
    cast('{{ value }}' as date)
{%- endmacro %}

{#- An integer yyyymmdd key for a date expression. -#}
{% macro date_key(date_expr) -%}
    (
        cast(extract(year from {{ date_expr }}) as integer) * 10000
        + cast(extract(month from {{ date_expr }}) as integer) * 100
        + cast(extract(day from {{ date_expr }}) as integer)
    )
{%- endmacro %}

{#- ISO day of week, Monday = 1, from the distance to a known Monday (portable, no locale). -#}
{% macro iso_day_of_week(date_expr) -%}
    cast(mod({{ dbt.datediff(date_literal("1900-01-01"), date_expr, "day") }}, 7) + 1 as integer)
{%- endmacro %}

{% macro month_name(month_number, short=false) -%}
    {%- set names = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
                     'September', 'October', 'November', 'December'] -%}
    case {{ month_number }}
    {%- for name in names %}
        when {{ loop.index }} then '{{ name[:3] if short else name }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro day_name(iso_day_number) -%}
    {%- set names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] -%}
    case {{ iso_day_number }}
    {%- for name in names %}
        when {{ loop.index }} then '{{ name }}'
    {%- endfor %}
    end
{%- endmacro %}
