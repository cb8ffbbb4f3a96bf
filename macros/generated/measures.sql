{#- Generated from src/salespulse/semantic/measures.yml by `salespulse powerbi write`: edit that file, not this one. -#}

{#- Average Order Value: Sales divided by Orders. -#}
{% macro measure__average_order_value(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- Margin %: Margin as a share of Sales. -#}
{% macro measure__margin_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- Variance: Sales In Budget Months minus Budget To Date; blank where there is no budget. -#}
{% macro measure__variance(left, right) -%}
    case when {{ right }} is not null then {{ left }} - {{ right }} end
{%- endmacro %}

{#- Attainment %: Sales In Budget Months as a share of Budget To Date (100 % = on budget); blank where there is no budget. -#}
{% macro measure__attainment_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of('coalesce(' ~ numerator ~ ', 0)', denominator) }} end
{%- endmacro %}

{#- Margin % LY: Margin % of the same period one year earlier (Margin LY as a share of Sales LY). -#}
{% macro measure__margin_pct_ly(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- Sales YoY: Sales minus Sales LY; blank where there were no sales last year. -#}
{% macro measure__sales_yoy(left, right) -%}
    case when {{ right }} is not null then {{ left }} - {{ right }} end
{%- endmacro %}

{#- YoY %: Growth of Sales over Sales LY. -#}
{% macro measure__yoy_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- Sales YTD YoY: Sales YTD minus Sales PYTD; blank where there were no sales in the same days last year. -#}
{% macro measure__sales_ytd_yoy(left, right) -%}
    case when {{ right }} is not null then {{ left }} - {{ right }} end
{%- endmacro %}

{#- YTD YoY %: Growth of Sales YTD over Sales PYTD - this year to the as-of date against the same days last year, whatever dates are in context (a card over all history compares the year to date, not all history with all history shifted a year). -#}
{% macro measure__ytd_yoy_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- Campaign Share %: Campaign Sales as a share of all Sales under the same filters but the Campaign's (a campaign's row is its share of the business, not 100 %). -#}
{% macro measure__campaign_share_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- Projected vs Budget: Projected Full Year minus Projected Budget (negative = the year lands below budget); blank without a budget. -#}
{% macro measure__projected_vs_budget(left, right) -%}
    case when {{ right }} is not null then {{ left }} - {{ right }} end
{%- endmacro %}

{#- Projected Attainment %: Projected Full Year as a share of Projected Budget (100 % = lands on budget); blank without a budget. -#}
{% macro measure__projected_attainment_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- At-Risk %: At-Risk Clients as a share of Evaluated Clients. -#}
{% macro measure__at_risk_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}

{#- Campaign Sales Uplift %: Sales in the campaign window as a share of the sales expected without the campaign: 140 % means 40 % more than expected. For one campaign it is the campaign's sales uplift; blank without a baseline. -#}
{% macro measure__campaign_sales_uplift_pct(numerator, denominator) -%}
    case when {{ denominator }} <> 0 then {{ ratio_of(numerator, denominator) }} end
{%- endmacro %}
