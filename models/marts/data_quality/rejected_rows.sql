{#-
    Every raw row that is not in the warehouse's facts and dimensions, with the reason: earlier
    versions superseded by a later delivery, and order lines that break a business rule. Together
    with `fct_sales` (and the dimensions) it accounts for every raw row.

    Incremental (macros/incremental.sql), keyed by rejected_row_key: a build deletes and inserts
    again the rows of the touched order lines (the change set: every raw version of a changed line
    is ranked again, and its rule check is read again) and every row of the other tables, which are
    small snapshots recomputed whole. Any full rebuild of the change set's path rebuilds it in full.
-#}
{%- set plan = incremental_config(
    'rejected_row_key', 'touched_rejected_row_keys', [], ['stg_erp__order_lines', 'int_order_lines__checked']) -%}
{%- set tables = [
    ('erp', 'order_lines'), ('erp', 'products'), ('crm', 'customers'), ('crm', 'territories'),
    ('crm', 'geography'), ('hr', 'sales_reps'), ('marketing', 'campaigns'), ('finance', 'budget'),
] -%}
{%- set raw_line_id = order_line_id() %}

with broken_order_lines as (
    select
        'order_lines' as entity,
        source_file,
        source_row,
        order_line_id as business_key,
        rejection_reason
    from {{ ref('int_order_lines__checked') }}
    where
        rejection_reason is not null
        and {{ touched_only(plan, 'order_line_id', touched_order_line_ids()) }}
),

ranked_order_lines as (
    {#- the versions of the touched order lines only (all of them in a full build), ranked as staging does;
        their orders first, a plain column, so the line ids are built for those orders' rows only #}
    select
        raw_rows.*,
        row_number() over (
            partition by {{ var('business_keys')['order_lines'] | join(', ') }}
            order by {{ version_order('order_lines') }}
        ) as version_rank
    from {{ source('erp', 'order_lines') }} as raw_rows
    where
        {{ touched_only(plan, 'order_number', touched_orders()) }}
        and {{ touched_only(plan, raw_line_id, touched_order_line_ids()) }}
),
{% for source_name, table_name in tables %}
    {%- set key_parts = [] -%}
    {%- for column in var('business_keys')[table_name] -%}
        {%- do key_parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor %}
    superseded_{{ table_name }} as (
        select
            '{{ table_name }}' as entity,
            _source_file as source_file,
            _source_row as source_row,
            {{ key_parts | join(" || '|' || ") }} as business_key,
            'superseded_by_later_version' as rejection_reason
        {%- if table_name == 'order_lines' %}
            from ranked_order_lines
        {%- else %}
            from ({{ ranked_versions(source_name, table_name) }}) as versions
        {%- endif %}
        where version_rank > 1
    ),
{% endfor %}
rejected as (
    {%- for source_name, table_name in tables %}
        select * from superseded_{{ table_name }}
        union all
    {%- endfor %}
    select * from broken_order_lines
)

select
    {{ surrogate_key(['entity', 'source_file', 'source_row']) }} as rejected_row_key,
    entity,
    source_file,
    source_row,
    business_key,
    rejection_reason
from rejected
