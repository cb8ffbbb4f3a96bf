{#-
    Every raw row that is not in the warehouse's facts and dimensions, with the reason: earlier
    versions superseded by a later delivery, and order lines that break a business rule. Together
    with `fct_sales` (and the dimensions) it accounts for every raw row.
-#}
{%- set tables = [
    ('erp', 'order_lines'), ('erp', 'products'), ('crm', 'customers'), ('crm', 'territories'),
    ('crm', 'geography'), ('hr', 'sales_reps'), ('marketing', 'campaigns'), ('finance', 'budget'),
] -%}

with broken_order_lines as (
    select
        'order_lines' as entity,
        source_file,
        source_row,
        order_line_id as business_key,
        rejection_reason
    from {{ ref('int_order_lines__checked') }}
    where rejection_reason is not null
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
        from ({{ ranked_versions(source_name, table_name) }}) as versions
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
