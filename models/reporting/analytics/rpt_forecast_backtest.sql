{{ config(alias='forecast_backtest') }}
{#-
    How good the forecast is: per series, the model and the seasonal-naive baseline fitted on the
    data up to the backtest cut-off and compared with the 12 months that followed.

    - `mape_pct`: mean absolute percentage error, the mean over the months of
      |forecast - actual| / actual (months without positive sales left out);
    - `bias_pct`: (sum of forecasts - sum of actuals) / sum of actuals; positive = over-forecast;
    - `beats_baseline`: the model's MAPE is lower than the seasonal-naive MAPE of the same series;
    - coverage: share of the months whose actual sales fell inside the 80 % / 95 % interval.
-#}
{{ import_ctes([('backtest', 'fct_forecast_backtest')]) }},

scored as (
    select
        series_level,
        series_member,
        model_name,
        max(category_name) as category_name,
        max(territory_key) as territory_key,
        max(territory_code) as territory_code,
        max(cutoff_date) as cutoff_date,
        min(forecast_month) as first_month,
        max(forecast_month) as last_month,
        count(absolute_percentage_error) as months_compared,
        {{ money('sum(actual_amount)') }} as actual_amount,
        {{ money('sum(forecast_amount)') }} as forecast_amount,
        round(sum(absolute_percentage_error), 4) as absolute_percentage_error_sum,
        sum(case when actual_amount between lower_80_amount and upper_80_amount then 1 else 0 end)
            as months_in_80,
        sum(case when actual_amount between lower_95_amount and upper_95_amount then 1 else 0 end)
            as months_in_95,
        count(lower_80_amount) as months_with_interval
    from backtest
    group by series_level, series_member, model_name
),

measured as (
    select
        scored.*,
        case
            when scored.months_compared > 0
                then {{ exact_ratio('absolute_percentage_error_sum', 'months_compared') }}
        end as mape_pct
    from scored
),

baseline as (
    select
        series_level,
        series_member,
        mape_pct as baseline_mape_pct
    from measured
    where model_name = 'seasonal_naive'
)

select
    {{ surrogate_key(['measured.series_level', 'measured.series_member', 'measured.model_name']) }}
        as forecast_backtest_key,
    {{ surrogate_key(['measured.series_level', 'measured.series_member']) }} as forecast_series_key,
    measured.series_level,
    measured.series_member,
    measured.category_name,
    measured.territory_key,
    measured.territory_code,
    measured.model_name,
    measured.model_name = 'seasonal_naive' as is_baseline,
    measured.cutoff_date,
    measured.first_month,
    measured.last_month,
    cast(measured.months_compared as integer) as months_compared,
    {{ money('measured.actual_amount') }} as actual_amount,
    {{ money('measured.forecast_amount') }} as forecast_amount,
    {{ ratio('measured.mape_pct') }} as mape_pct,
    {{ ratio(
        'case when measured.actual_amount > 0 then '
        ~ signed_ratio_of('measured.forecast_amount - measured.actual_amount', 'measured.actual_amount')
        ~ ' end'
    ) }} as bias_pct,
    case
        when measured.model_name <> 'seasonal_naive' then measured.mape_pct < baseline.baseline_mape_pct
    end as beats_baseline,
    {{ ratio(
        'case when measured.months_with_interval > 0 then '
        ~ exact_ratio('measured.months_in_80', 'measured.months_with_interval') ~ ' end'
    ) }} as coverage_80_pct,
    {{ ratio(
        'case when measured.months_with_interval > 0 then '
        ~ exact_ratio('measured.months_in_95', 'measured.months_with_interval') ~ ' end'
    ) }} as coverage_95_pct
from measured
left join baseline
    on
        measured.series_level = baseline.series_level
        and measured.series_member = baseline.series_member
