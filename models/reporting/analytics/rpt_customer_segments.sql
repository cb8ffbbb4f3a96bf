{{ config(alias='customer_segments') }}
{#-
    One row per client who has bought: RFM scores and segment, the at-risk verdict with its reason,
    and the client's type, industry, CRM segment, territory, region and rep to slice by.
-#}
{{ import_ctes([
    ('rfm', 'fct_customer_rfm'),
    ('at_risk', 'fct_customer_at_risk'),
    ('customers', 'dim_customer'),
    ('territories', 'dim_territory'),
]) }}

select
    rfm.customer_key,
    customers.customer_id,
    customers.customer_name,
    customers.customer_label,
    customers.customer_type,
    customers.industry,
    customers.segment as crm_segment,
    customers.country_code,
    customers.territory_key,
    territories.territory_code,
    territories.region_name,
    customers.sales_rep_key,
    rfm.first_order_date,
    rfm.last_order_date,
    rfm.recency_days,
    rfm.frequency_orders,
    rfm.monetary_amount,
    rfm.lifetime_orders,
    rfm.lifetime_net_sales_amount,
    rfm.recency_score,
    rfm.frequency_score,
    rfm.monetary_score,
    rfm.rfm_score,
    rfm.rfm_segment,
    rfm.rfm_segment_order,
    rfm.rfm_segment_rule,
    at_risk.is_evaluated as is_at_risk_evaluated,
    coalesce(at_risk.is_at_risk, false) as is_at_risk,
    at_risk.at_risk_rule,
    at_risk.at_risk_reason,
    at_risk.usual_order_interval_days,
    at_risk.earlier_monthly_sales_amount,
    at_risk.recent_monthly_sales_amount,
    at_risk.sales_trend_ratio,
    at_risk.annual_sales_at_risk_amount
from rfm
inner join customers on rfm.customer_key = customers.customer_key
left join territories on customers.territory_key = territories.territory_key
left join at_risk on rfm.customer_key = at_risk.customer_key
