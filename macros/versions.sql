{#-
    Deduplication of raw rows to one row per business key.

    `var('business_keys')` names each raw table's key; the latest version wins: for order lines
    the latest `last_modified_at`, then (for every table) the latest load, file and row. Staging
    models keep rank 1; `rejected_rows` reports the others as superseded, so every raw row is
    accounted for.
-#}
{% macro version_order(table_name) -%}
    {%- set order = [] -%}
    {%- if table_name == 'order_lines' -%}
        {%- do order.append('last_modified_at desc') -%}
    {%- endif -%}
    {%- do order.extend(['_loaded_at desc', '_source_file desc', '_source_row desc']) -%}
    {{ order | join(', ') }}
{%- endmacro %}

{#-
    `loaded_after` (a timestamp, optional): rank only the keys with a row loaded after it (an
    incremental build's changed keys), every version of them.
-#}
{% macro ranked_versions(source_name, table_name, loaded_after=none) -%}
    {%- set keys = var('business_keys')[table_name] -%}
    select
        raw_rows.*,
        row_number() over (
            partition by {{ keys | join(', ') }}
            order by {{ version_order(table_name) }}
        ) as version_rank
    from {{ source(source_name, table_name) }} as raw_rows
    {%- if loaded_after is not none %}
        where exists (
            select 1
            from {{ source(source_name, table_name) }} as changed_rows
            where
                changed_rows._loaded_at > cast('{{ loaded_after }}' as {{ dbt.type_timestamp() }})
                {%- for column in keys %}
                    and changed_rows.{{ column }} = raw_rows.{{ column }}
                {%- endfor %}
        )
    {%- endif %}
{%- endmacro %}

{% macro latest_versions(source_name, table_name, loaded_after=none) -%}
    select * from ({{ ranked_versions(source_name, table_name, loaded_after) }}) as versions
    where version_rank = 1
{%- endmacro %}
