{#-
    A model's inputs, named once: `import_ctes([('customers', 'stg_crm__customers'), ('orders',
    'fct_orders')])` renders the import CTEs of dbt's style guide, in the order given,

        with
        customers as (
            select * from <stg_crm__customers>
        ),
        orders as (
            select * from <fct_orders>
        )

    and the model goes on with `,` and its own CTEs. Every model that reads whole upstream models
    starts this way (GitLab's dbt project does the same with its `simple_cte`), so its inputs are
    one list at its top rather than three lines of boilerplate each. An input read with a filter
    (an incremental model's touched rows, known customers only) stays a CTE of its own.
-#}
{% macro import_ctes(inputs) -%}
with
{%- for name, model in inputs %}
{{ name }} as (
    select * from {{ ref(model) }}
){{ ',' if not loop.last }}
{%- endfor %}
{%- endmacro %}
